#!/usr/bin/env node
// Fails (exit 1) when the host agent's v1 API (provider/proto/pulumi_hcs/agent/v1/*.proto) is no
// longer backward compatible with its committed snapshot (provider/proto/snapshots/pulumi_hcs.agent.v1.json):
// within v1 the API is add-only, so that every client and agent built against v1 keeps working with
// every other (containerd keeps its API the same way, by diffing snapshots in CI). Additions pass and
// are listed; `--update` records them in the snapshot, and refuses to record an incompatible change.
// Exit status: 0 compatible, 1 incompatible or not checkable (no snapshot, a .proto that does not
// parse), 2 a bad command line.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { describeProtoDir } = require("./proto-compat/describe");
const { compareApis } = require("./proto-compat/compare");

const ROOT = path.resolve(__dirname, "..");
const DEFAULT_PROTO_DIR = path.join(ROOT, "provider/proto/pulumi_hcs/agent/v1");
const DEFAULT_SNAPSHOT = path.join(ROOT, "provider/proto/snapshots/pulumi_hcs.agent.v1.json");
const SELF = "node scripts/check-proto-compat.js";

const USAGE = `usage: ${SELF} [--update] [--proto-dir DIR] [--snapshot FILE]
  Compares the .proto files in DIR (default provider/proto/pulumi_hcs/agent/v1) with the API
  snapshot FILE (default provider/proto/snapshots/pulumi_hcs.agent.v1.json): exit 1 on a removed,
  renumbered, renamed or retyped element, or a changed package; additions pass and are listed.
  --update  write the snapshot (after an intended addition; an incompatible change is refused)`;

const SNAPSHOT_COMMENT = "The pulumi_hcs.agent.v1 API as released: v1 only grows. Written by "
    + `\`${SELF} --update\`, which CI (scripts/test.sh) compares the .proto files with.`;

function parseArgs(argv) {
    const options = { update: false, protoDir: DEFAULT_PROTO_DIR, snapshot: DEFAULT_SNAPSHOT, help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
            return argv[++i];
        };
        if (arg === "--update") options.update = true;
        else if (arg === "--proto-dir") options.protoDir = path.resolve(value());
        else if (arg === "--snapshot") options.snapshot = path.resolve(value());
        else if (arg === "--help" || arg === "-h") options.help = true;
        else throw new UsageError(`unknown argument ${arg}`);
    }
    return options;
}

class UsageError extends Error {}

/** Paths as the user can read them: relative to the working directory when inside it. */
function shown(file) {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function snapshotText(description) {
    return `${JSON.stringify({ $comment: SNAPSHOT_COMMENT, ...description }, null, 2)}\n`;
}

function readSnapshot(file) {
    const { $comment, ...description } = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const key of ["package", "services", "messages", "enums"]) {
        if (!(key in description)) throw new Error(`${shown(file)} is not an API snapshot (no "${key}")`);
    }
    return description;
}

function writeSnapshot(file, description) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, snapshotText(description));
}

/** Runs the check; returns the exit status. `log` and `warn` take one line each. */
function run(argv, log = (line) => process.stdout.write(`${line}\n`), warn = (line) => process.stderr.write(`${line}\n`)) {
    let options;
    try {
        options = parseArgs(argv);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        warn(`check-proto-compat: ${err.message}`);
        warn(USAGE);
        return 2;
    }
    if (options.help) {
        log(USAGE);
        return 0;
    }

    let current;
    try {
        current = describeProtoDir(options.protoDir);
    } catch (err) {
        warn(`check-proto-compat: cannot read the API: ${err.message}`);
        return 1;
    }

    if (!fs.existsSync(options.snapshot)) {
        if (options.update) {
            writeSnapshot(options.snapshot, current);
            log(`check-proto-compat: wrote ${shown(options.snapshot)} (${current.package}); commit it with the .proto files`);
            return 0;
        }
        warn(`check-proto-compat: no snapshot ${shown(options.snapshot)} to compare ${current.package} with.`);
        warn(`Create it from the current .proto files with \`${SELF} --update\` and commit it.`);
        return 1;
    }

    let snapshot;
    try {
        snapshot = readSnapshot(options.snapshot);
    } catch (err) {
        warn(`check-proto-compat: cannot read the snapshot: ${err.message}`);
        return 1;
    }

    const { problems, additions } = compareApis(snapshot, current);
    for (const addition of additions) log(`added: ${addition}`);
    if (problems.length > 0) {
        warn(`check-proto-compat: ${problems.length} incompatible change${problems.length === 1 ? "" : "s"} to ${snapshot.package} `
            + `(${shown(options.protoDir)} against ${shown(options.snapshot)}):`);
        for (const problem of problems) warn(problem);
        warn(`check-proto-compat: ${snapshot.package} is add-only: put these back, or make the change in a new package beside it`
            + `${options.update ? "; the snapshot was not written" : ""}.`);
        return 1;
    }

    if (options.update) {
        const unchanged = fs.readFileSync(options.snapshot, "utf8") === snapshotText(current);
        if (!unchanged) writeSnapshot(options.snapshot, current);
        log(`check-proto-compat: ${shown(options.snapshot)} ${unchanged ? "was already up to date" : "updated"}`);
    } else if (additions.length > 0) {
        log(`check-proto-compat: ${snapshot.package} is compatible; record the additions with \`${SELF} --update\` and commit the snapshot`);
    } else {
        log(`check-proto-compat: ${snapshot.package} matches ${shown(options.snapshot)}`);
    }
    return 0;
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));

module.exports = { run };
