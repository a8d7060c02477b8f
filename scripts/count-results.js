#!/usr/bin/env node
// Sums jest --json result files into the one line CI reads: "N passed, N failed".
// A missing or unreadable result file counts as one failure: a suite that did not report did not pass.
"use strict";
const fs = require("node:fs");
let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
    try {
        const results = JSON.parse(fs.readFileSync(file, "utf8"));
        passed += results.numPassedTests;
        failed += results.numFailedTests + (results.numRuntimeErrorTestSuites || 0);
    } catch (err) {
        process.stderr.write(`count-results: ${file}: ${err.message}\n`);
        failed += 1;
    }
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
