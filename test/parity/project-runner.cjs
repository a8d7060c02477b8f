#!/usr/bin/env node
// The project's side of the parity tier (docs/parity.md), for one batch of cases that share a host
// (build, logical processors) and the creating process's CPU affinity, which the caller sets with
// taskset, as it does for hcsshim's harness.
//
// Usage: node test/parity/project-runner.cjs BATCH.json RESULTS.json
//
// It starts a simulated host with the batch's facts, and for each case lays out the case's files on
// it, then runs what a user runs: `pulumi-hcs render` (the command's entry point, in this process)
// and the dynamic provider's check and create (as the Pulumi engine calls them; create with start
// false, as CreateWCOW does not start the VM). It records render's output and the document create
// passed to HcsCreateComputeSystem (taken at the binding, so also when the simulated HCS refuses it
// afterwards), or what each refused with, then deletes the VM and the files.
// It runs the built provider (provider/dist; build first), or the one in PULUMI_HCS_PARITY_PROVIDER
// (another checkout's provider folder, built), to measure another version against hcsshim.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const DIST = path.join(path.resolve(process.env.PULUMI_HCS_PARITY_PROVIDER || path.join(__dirname, "../../provider")), "dist");
const { startSimulatorProcess } = require(path.join(DIST, "sim/service/launch.js"));
const { main } = require(path.join(DIST, "src/cli/main.js"));
const { wcowUtilityVmProvider: provider } = require(path.join(DIST, "src/pulumi/provider.js"));
const { HcsClient } = require(path.join(DIST, "src/hcs/compute-system.js"));

/** The documents create passed to HcsCreateComputeSystem since the last case began. */
let sent = [];
const createComputeSystem = HcsClient.prototype.createComputeSystem;
HcsClient.prototype.createComputeSystem = function (id, document, options) {
    sent.push(document);
    return createComputeSystem.call(this, id, document, options);
};

async function run() {
    const [batchFile, resultFile] = process.argv.slice(2);
    if (!batchFile || !resultFile) throw new Error("usage: project-runner.cjs BATCH.json RESULTS.json");
    const batch = JSON.parse(fs.readFileSync(batchFile, "utf8"));
    const sim = await startSimulatorProcess({ logicalProcessors: batch.logicalProcessors, build: batch.build });
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "parity-args-"));
    const hostName = `sim:${sim.ready.socket}`;
    const results = [];
    try {
        for (const c of batch.cases) {
            materialize(sim.root, c.files);
            const render = await renderCase(c, sim.root, batch, scratch);
            const create = await createCase(c, hostName);
            results.push({ name: c.name, render, create });
            fs.rmSync(path.join(sim.root, "fs"), { recursive: true, force: true });
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
        await sim.stop();
    }
    fs.writeFileSync(resultFile, JSON.stringify({ availableParallelism: os.availableParallelism(), cases: results }));
}

/** Lays out `files` under the simulated host's root: `C:\a\b` is `<root>/fs/c/a/b`; a trailing `\` is a folder. */
function materialize(root, files) {
    for (const entry of files) {
        const folder = entry.endsWith("\\");
        const match = /^([A-Za-z]):\\(.*)$/.exec(folder ? entry.slice(0, -1) : entry);
        if (!match) throw new Error(`not a drive path: ${entry}`);
        const native = path.join(root, "fs", match[1].toLowerCase(), ...match[2].split("\\").filter((n) => n !== ""));
        if (folder) {
            fs.mkdirSync(native, { recursive: true });
        } else {
            fs.mkdirSync(path.dirname(native), { recursive: true });
            fs.writeFileSync(native, "");
        }
    }
}

/** `pulumi-hcs render` with the case's inputs: its exit code, standard output and error lines (log lines left out). */
async function renderCase(c, root, batch, scratch) {
    const argsFile = path.join(scratch, `${c.name}.json`);
    fs.writeFileSync(argsFile, JSON.stringify(c.args));
    const out = [];
    const err = [];
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    process.stdout.write = (chunk) => (out.push(String(chunk)), true);
    process.stderr.write = (chunk) => (err.push(String(chunk)), true);
    let status;
    try {
        status = await main([
            "render", "--args", argsFile, "--root", root,
            "--logical-processors", String(batch.logicalProcessors), "--build", String(batch.build),
        ]);
    } finally {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
    }
    const lines = err.join("").split("\n").filter((line) => line !== "" && !line.startsWith("{"));
    return { status, stdout: out.join(""), stderr: lines };
}

/** check + create as the engine calls them; the document sent, or every reason given for refusing. */
async function createCase(c, hostName) {
    const checked = await provider.check({}, { ...c.args, host: hostName, start: false });
    if (checked.failures && checked.failures.length > 0) {
        return { refusedBy: "check", messages: checked.failures.map((f) => `${f.property}: ${f.reason}`) };
    }
    let created;
    sent = [];
    try {
        created = await provider.create(checked.inputs);
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Sent, then refused by the (simulated) HCS: what create sent is still what is compared.
        if (sent.length > 0) return { document: sent[0], refusedBy: "hcs", messages: [message] };
        return { refusedBy: "create", messages: [message] };
    }
    if (sent.length !== 1) throw new Error(`case ${c.name}: create sent ${sent.length} documents to HcsCreateComputeSystem, expected 1`);
    try {
        await provider.delete(created.id, created.outs);
    } catch (err) {
        return { document: sent[0], cleanupError: err instanceof Error ? err.message : String(err) };
    }
    return { document: sent[0] };
}

run().then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(`project-runner: ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    },
);
