#!/usr/bin/env node
// Summarizes the reliability trials (JSON lines written by test/reliability) into one table row per
// kind of trial: trials, how many left orphans before the recovery (and how many orphans in all),
// how many converged to host = stack after it. Prints the table; writes it to the second argument.
"use strict";
const fs = require("node:fs");

const [input, output] = process.argv.slice(2);
if (!input || !fs.existsSync(input)) {
    console.error(`soak-report: no trials recorded in ${input}`);
    process.exit(1);
}
const trials = fs.readFileSync(input, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
const rows = new Map();
for (const t of trials) {
    const key = `${t.suite}: ${t.suite === "fault-matrix" ? t.kind.split(" ")[0] + " (every call, every phase)" : t.kind}`;
    const row = rows.get(key) ?? { trials: 0, withOrphans: 0, orphans: 0, converged: 0, seconds: 0 };
    row.trials += 1;
    if (t.orphansBefore > 0) row.withOrphans += 1;
    row.orphans += Math.max(0, t.orphansBefore);
    if (t.converged) row.converged += 1;
    row.seconds += t.seconds;
    rows.set(key, row);
}
const lines = [
    "| trials of | trials | left orphans before recovery (orphans) | converged after recovery |",
    "|---|---:|---:|---:|",
    ...[...rows].sort().map(([key, r]) => `| ${key} | ${r.trials} | ${r.withOrphans} (${r.orphans}) | ${r.converged} of ${r.trials} |`),
];
const total = trials.length;
const converged = trials.filter((t) => t.converged).length;
lines.push("", `${converged} of ${total} trials converged; ${trials.filter((t) => !t.converged).map((t) => `${t.suite} ${t.kind} #${t.trial}: ${t.problems[0]}`).join("; ") || "no failures"}`);
const table = lines.join("\n");
console.log(table);
if (output) fs.writeFileSync(output, `${table}\n`);
