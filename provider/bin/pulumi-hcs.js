#!/usr/bin/env node
// The `pulumi-hcs` command. The implementation is compiled TypeScript under dist/.
require("../dist/src/cli/main.js").main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`pulumi-hcs: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
