// Prints the Windows jest run readably from its JSON result (scripts/test-windows.sh): one line per
// test file, a summary per suite (test/<dir>), then every failure in full. The Linux node runs it.
//
//   node scripts/windows/jest-summary.cjs RESULT.json REPO_ROOT
//
// jest under Wine names files by their Windows paths (Z:\work\main\test\...): they are printed
// relative to the repository.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [resultFile, repo] = process.argv.slice(2);
const result = JSON.parse(fs.readFileSync(resultFile, "utf8"));

/** Z:\work\main\test\unit\x.test.ts → test/unit/x.test.ts */
function relative(windowsPath) {
    const posix = windowsPath.replace(/^[A-Za-z]:/, "").replace(/\\/g, "/");
    return path.posix.relative(repo, posix);
}

function count(assertions, status) {
    return assertions.filter((a) => a.status === status).length;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const files = result.testResults
    .map((file) => {
        const assertions = file.assertionResults || [];
        const ranToEnd = file.status !== "failed" || assertions.length > 0;
        return {
            name: relative(file.name),
            passed: count(assertions, "passed"),
            // A file that could not run (syntax error, failing import, crash) counts as one failure.
            failed: count(assertions, "failed") + (ranToEnd ? 0 : 1),
            skipped: count(assertions, "pending") + count(assertions, "todo") + count(assertions, "skipped"),
            ms: file.endTime && file.startTime ? file.endTime - file.startTime : 0,
            failures: assertions.filter((a) => a.status === "failed"),
            execError: ranToEnd ? undefined : file.failureMessage || file.message || "the file failed to run (no message)",
        };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

const width = Math.max(...files.map((f) => f.name.length), 10);
const counts = (x) => `${x.passed} passed, ${x.failed} failed, ${x.skipped} skipped`;
const out = [];
out.push("files:");
for (const f of files) out.push(`  ${f.failed > 0 ? "FAIL" : "PASS"}  ${f.name.padEnd(width)}  ${counts(f).padEnd(36)} ${seconds(f.ms)}`);

const suites = new Map();
for (const f of files) {
    const suite = f.name.split("/").slice(0, 2).join("/");
    const s = suites.get(suite) || { files: 0, passed: 0, failed: 0, skipped: 0, ms: 0 };
    s.files++;
    s.passed += f.passed;
    s.failed += f.failed;
    s.skipped += f.skipped;
    s.ms += f.ms;
    suites.set(suite, s);
}
const suiteWidth = Math.max(...[...suites.keys()].map((s) => s.length), 10);
out.push("", "suites:");
for (const [name, s] of suites) {
    out.push(`  ${s.failed > 0 ? "FAIL" : "PASS"}  ${name.padEnd(suiteWidth)}  ${counts(s).padEnd(36)} ${String(s.files).padStart(3)} files  ${seconds(s.ms)}`);
}

/** A stack frame inside jest itself or Node's internals: jest's own reporter leaves these out too. */
const isRunnerFrame = (line) =>
    /^\s+at /.test(line) && (/[\\/]node_modules[\\/](jest-[\w-]+|expect|@jest)[\\/]/.test(line) || /\(node:internal\/|^\s+at new Promise \(<anonymous>\)$/.test(line));
const readable = (text) => text.split("\n").filter((line) => !isRunnerFrame(line)).join("\n");

const failures = files.flatMap((f) => [
    ...(f.execError ? [{ title: `${f.name} (the file did not run)`, text: f.execError }] : []),
    ...f.failures.map((a) => ({ title: `${f.name} › ${a.ancestorTitles.concat(a.title).join(" › ")}`, text: readable(a.failureMessages.join("\n")) })),
]);
if (failures.length > 0) {
    out.push("", `failures (${failures.length}):`);
    for (const failure of failures) out.push("", `● ${failure.title}`, "", failure.text.replace(/^/gm, "    ").trimEnd());
}
process.stdout.write(`${out.join("\n")}\n`);
