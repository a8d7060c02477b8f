/**
 * The GitOps pipeline of examples/gitops as a CI job runs it: pipeline/reconcile.sh (bash) against
 * the example program, the real Pulumi CLI, a file backend, and two simulated hosts each behind its
 * host agent (one PKI, one client certificate for both, as a runner holds one). Pools of POOL_SIZE
 * VMs per host.
 * - A converged stack: exit 0, drift.json says no drift.
 * - Drift made out of band: a VM killed on host A, one removed with `pulumi-hcs rm --host grpcs://…`
 *   on host B, and a processor limit changed on host A. Report only: exit 3, drift.json names exactly
 *   the two VMs that are gone; the changed limit is not seen (the provider's read does not read
 *   limits: docs/operations.md), and the notification hook gets the summary and DRIFT_STATUS.
 * - REMEDIATE=1: exit 0, the VMs are back with their guests connected, the next check is clean, and
 *   each host holds exactly the stack's VMs on it (no orphans, no leaked scratch folders).
 * - Another runner's update holds the stack: exit 5, its lock untouched.
 * - A runner killed (SIGKILL to its process group) while `up --refresh` creates: the stack keeps its
 *   lock and a pending create; the next run clears both (logged) and converges.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DriftSummary } from "../../provider/src/gitops/drift-summary";
import { startTestAgent, type TestAgent, removeTestAgentFolders } from "../support/agent";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, newPulumiProject, type PulumiProject, type RunResult, type StackResource, type StackState, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, eventually, hostNameOf, simulatedConfiguration, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, "../..");
const PULUMI_HCS = path.join(ROOT, "provider", "bin", "pulumi-hcs.js");
const PIPELINE = path.join(ROOT, "examples", "gitops", "pipeline");
const POOL_SIZE = 3;
const PROCESSOR_LIMIT = 50000;
/** What the script exits with (the drift summary's contract: docs/operations.md). */
const EXIT = { clean: 0, error: 1, drift: 3, remediationFailed: 4, conflict: 5 } as const;

interface Site {
    readonly host: TestHost;
    readonly agent: TestAgent;
}

let a: Site;
let b: Site;
let project: PulumiProject;
/** The pipeline's output folder (preview.json, drift.json...), one per run. */
let runs = 0;

async function startSite(reuse?: TestAgent): Promise<Site> {
    const host = await startTestHost({ logicalProcessors: 8 });
    // The simulator itself (hostNameOf), also in a run where startTestHost would put its own agent in front.
    const agent = await startTestAgent({ host: hostNameOf(host.sim) }, reuse && { pki: reuse.pki, serverCert: reuse.serverCert, port: 0 });
    return { host, agent };
}

beforeAll(async () => {
    a = await startSite();
    b = await startSite(a.agent);
    project = await newPulumiProject("gitops", a.agent.clientEnv());
    // The pipeline folder next to the program, as a team commits it: the script finds the project as its parent.
    fs.cpSync(PIPELINE, path.join(project.dir, "pipeline"), { recursive: true });
    await project.config({ hostA: a.agent.address, hostB: b.agent.address, poolSize: POOL_SIZE, processorLimit: PROCESSOR_LIMIT, baseLayer: BASE_LAYER });
    const started = Date.now();
    expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
    console.info(`observed: the first up of ${2 * POOL_SIZE} VMs on two agents took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 240_000);

afterAll(async () => {
    await project?.pulumi(["destroy", "--yes", "--skip-preview"]);
    project?.remove();
    for (const site of [b, a]) {
        await site?.agent.stop();
        await site?.host.stop();
    }
    removeTestAgentFolders();
});

interface PipelineRun extends RunResult {
    readonly out: string;
    readonly seconds: number;
}

/**
 * Starts pipeline/reconcile.sh in a process group of its own (as a CI runner starts a job step), with
 * the environment a runner has: the CLI and pulumi-hcs on PATH, the backend, the passphrase, the
 * agent client's credentials.
 */
function startPipeline(env: NodeJS.ProcessEnv): { readonly child: ChildProcess; readonly out: string; readonly done: Promise<PipelineRun> } {
    const out = path.join(project.dir, `run-${++runs}`);
    fs.mkdirSync(out);
    const started = Date.now();
    const child = spawn("bash", [path.join(project.dir, "pipeline", "reconcile.sh")], {
        cwd: out,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
            ...process.env,
            ...a.agent.clientEnv(),
            PATH: [path.join(ROOT, ".tools", "pulumi", "bin"), path.dirname(process.execPath), path.join(ROOT, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(project.dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: project.backendUrl,
            PULUMI_CONFIG_PASSPHRASE: "pulumi-hcs-tests",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_HCS_LOG_LEVEL: "warn",
            NO_COLOR: "1",
            PULUMI_STACK: project.stack,
            ...env,
        },
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<PipelineRun>((resolve) => child.on("close", (code, signal) =>
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, out, seconds: (Date.now() - started) / 1000 })));
    return { child, out, done };
}

const pipeline = (env: NodeJS.ProcessEnv = {}): Promise<PipelineRun> => startPipeline(env).done;

/** Fails with the script's log unless it exited with `code`. */
function expectExit(run: PipelineRun, code: number): void {
    if (run.code !== code) throw new Error(`expected the pipeline to exit ${code}, it exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

function driftOf(run: PipelineRun): DriftSummary {
    return JSON.parse(fs.readFileSync(path.join(run.out, "drift.json"), "utf8")) as DriftSummary;
}

const nameOf = (vm: StackResource): string => vm.urn.split("::").pop()!;

async function vmsByName(): Promise<Map<string, StackResource>> {
    return new Map(utilityVms(await project.exportState()).map((vm) => [nameOf(vm), vm]));
}

/** The part of a state on one host: what that host must hold, exactly. */
function onHost(state: StackState, site: Site): StackState {
    return { deployment: { resources: utilityVms(state).filter((vm) => vm.outputs?.host === site.agent.address) } };
}

/** Host = stack on both hosts, every VM Running with its guest connected. */
async function expectConverged(): Promise<StackState> {
    const state = await project.exportState();
    expect(utilityVms(state).map((vm) => [nameOf(vm), vm.outputs?.state, vm.outputs?.guestConnection]).sort())
        .toEqual(["a", "b"].flatMap((h) => Array.from({ length: POOL_SIZE }, (_, i) => [`pool-${h}-${i}`, "Running", "connected"])));
    await expectHostMatchesStacks(a.host, [onHost(state, a)]);
    await expectHostMatchesStacks(b.host, [onHost(state, b)]);
    return state;
}

/** The simulator's own view of a VM's processor settings (through this process's HCS client, pointed at its host). */
async function processorOnHost(site: Site, id: string): Promise<{ Limit?: number; Weight?: number }> {
    site.host.client.hcs.simulator!.setServiceAddress(site.host.sim.address, site.host.sim.secret);
    return (await simulatedConfiguration(site.host, id)).VirtualMachine.ComputeTopology.Processor;
}

/** Lock files of the stack in the file backend (pkg/backend/diy: .pulumi/locks/<org>/<project>/<stack>/). */
function lockFiles(): string[] {
    const dir = path.join(new URL(project.backendUrl).pathname, ".pulumi", "locks");
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json")) : [];
}

async function pendingOperations(): Promise<{ type: string; resource: { urn: string } }[]> {
    const state = await project.exportState() as StackState & { deployment: { pending_operations?: { type: string; resource: { urn: string } }[] } };
    return state.deployment.pending_operations ?? [];
}

/** The runtime IDs of the systems on a host now. */
async function runtimeIdsOn(site: Site): Promise<Set<string>> {
    return new Set((await site.host.sim.control.state()).systems.map((s) => s.runtimeId));
}

/** Systems on a host that were not there (by runtime ID) when `known` was taken: creates under way or done. */
async function newSystemsOn(site: Site, known: Set<string>): Promise<string[]> {
    return (await site.host.sim.control.state()).systems.filter((s) => !known.has(s.runtimeId)).map((s) => s.id);
}

function pulumiHcs(args: readonly string[]): Promise<RunResult> {
    return new Promise((resolve) => execFile(process.execPath, [PULUMI_HCS, ...args], { env: { ...process.env, ...a.agent.clientEnv() } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr })));
}

describe("the GitOps pipeline (examples/gitops/pipeline/reconcile.sh)", () => {
    it("on a converged stack: exit 0, drift.json says no drift, nothing changed", async () => {
        const before = await project.exportState();
        const run = await pipeline();
        console.info(`observed: a pipeline run (drift check + report) of ${2 * POOL_SIZE} VMs on two agents, no drift: exit ${run.code} in ${run.seconds.toFixed(1)} s`);
        expectExit(run, EXIT.clean);
        expect(driftOf(run)).toMatchObject({ schema: "pulumi-hcs.drift/v1", stack: project.stack, drifted: false, vms: [], counts: { vms: 2 * POOL_SIZE, gone: 0, changed: 0, unchanged: 2 * POOL_SIZE } });
        expect(run.stdout).toContain(`stack ${project.stack}: no drift (${2 * POOL_SIZE} VMs checked)`);
        expect(run.stderr).toContain("reconcile: done: clean (exit 0)");
        expect(utilityVms(await project.exportState()).map((vm) => vm.outputs?.runtimeId)).toEqual(utilityVms(before).map((vm) => vm.outputs?.runtimeId));
    });

    it("drift out of band, report only: exit 3, drift.json names exactly the VMs gone; a changed limit is not seen; the hook gets the summary", async () => {
        const vms = await vmsByName();
        const killed = vms.get("pool-a-0")!;
        const removed = vms.get("pool-b-1")!;
        const tuned = vms.get("pool-a-1")!;
        await a.host.sim.control.kill(killed.id!);
        const rm = await pulumiHcs(["rm", "--host", b.agent.address, removed.id!]);
        expect(rm).toMatchObject({ code: 0, stdout: `removed ${removed.id}\n` });
        // An operator lowers a VM's processor cap on the host itself (an HCS modify), the program unchanged.
        a.host.client.hcs.simulator!.setServiceAddress(a.host.sim.address, a.host.sim.secret);
        const system = await a.host.client.openComputeSystem(tuned.id!);
        await system.modify({ ResourcePath: "VirtualMachine/ComputeTopology/Processor/Limits", Settings: { Limit: 20000, Weight: 100 } });
        await system.close();
        expect(await processorOnHost(a, tuned.id!)).toMatchObject({ Limit: 20000 });

        const notified = path.join(project.dir, "notified");
        const run = await pipeline({ REMEDIATE: "0", NOTIFY_CMD: `cat > '${notified}.json'; echo "$DRIFT_STATUS $DRIFT_EXIT_CODE $PULUMI_STACK" > '${notified}.env'` });
        console.info(`observed: a pipeline run (report only) with 2 VMs gone of ${2 * POOL_SIZE}: exit ${run.code} in ${run.seconds.toFixed(1)} s`);
        expectExit(run, EXIT.drift);
        const drift = driftOf(run);
        expect(drift.drifted).toBe(true);
        expect(drift.vms.map((vm) => ({ name: vm.name, drift: vm.drift, action: vm.action, computeSystemId: vm.computeSystemId, host: vm.host, fields: vm.fields }))).toEqual([
            { name: "pool-a-0", drift: "gone", action: "create", computeSystemId: killed.id, host: a.agent.address, fields: [] },
            { name: "pool-b-1", drift: "gone", action: "create", computeSystemId: removed.id, host: b.agent.address, fields: [] },
        ]);
        expect(drift.counts).toMatchObject({ vms: 2 * POOL_SIZE, gone: 2, changed: 0, unchanged: 2 * POOL_SIZE - 2 });
        // The limit: the provider's read reports state, runtime ID, owner, assigned memory and the guest
        // connection, never processor limits, so the refresh keeps the recorded 50000 and sees no drift.
        expect(drift.vms.map((vm) => vm.name)).not.toContain("pool-a-1");
        expect(run.stdout).toMatch(/pool-a-0\s+gone\s+create/);
        expect(run.stderr).toContain("drift found; report only");

        expect(JSON.parse(fs.readFileSync(`${notified}.json`, "utf8"))).toEqual(drift);
        expect(fs.readFileSync(`${notified}.env`, "utf8")).toBe(`drifted 3 ${project.stack}\n`);
        // Report only wrote nothing: the state still records both VMs as they were.
        expect([...(await vmsByName()).keys()]).toContain("pool-a-0");
    });

    it("REMEDIATE=1: exit 0, the VMs are back with their guests, the next check is clean, each host holds exactly its VMs", async () => {
        const before = await vmsByName();
        const run = await pipeline({ REMEDIATE: "1" });
        console.info(`observed: a pipeline run remediating 2 VMs gone of ${2 * POOL_SIZE}: exit ${run.code} in ${run.seconds.toFixed(1)} s`);
        expectExit(run, EXIT.clean);
        expect(run.stderr).toContain("remediated: the drift check after the remediation is clean");
        expect(driftOf(run).vms.map((vm) => vm.name)).toEqual(["pool-a-0", "pool-b-1"]);
        const state = await expectConverged();
        const after = new Map(utilityVms(state).map((vm) => [nameOf(vm), vm]));
        // The same IDs (derived from the stack and the resource), new VMs.
        for (const name of ["pool-a-0", "pool-b-1"]) {
            expect(after.get(name)!.id).toBe(before.get(name)!.id);
            expect(after.get(name)!.outputs?.runtimeId).not.toBe(before.get(name)!.outputs?.runtimeId);
        }
        expect(after.get("pool-a-2")!.outputs?.runtimeId).toBe(before.get("pool-a-2")!.outputs?.runtimeId);

        const next = await pipeline();
        expectExit(next, EXIT.clean);
        expect(driftOf(next).drifted).toBe(false);
        // The limit the operator changed stays as they left it: what read cannot see, up cannot repair.
        expect(await processorOnHost(a, before.get("pool-a-1")!.id!)).toMatchObject({ Limit: 20000 });
        expect(after.get("pool-a-1")!.outputs?.processorLimit).toBe(PROCESSOR_LIMIT);
    });

    it("another runner's update holds the stack: exit 5, DRIFT_STATUS=conflict, its lock left alone", async () => {
        const target = (await vmsByName()).get("pool-b-2")!;
        const known = await runtimeIdsOn(b);
        await b.host.sim.control.kill(target.id!);
        // The other runner's create waits 20 s for its guest: it holds the stack's lock all that time.
        await b.host.sim.control.guestFault("dial-late", { delayMs: 20_000 });
        const other = project.start(["up", "--refresh", "--yes", "--skip-preview"]);
        let run: PipelineRun;
        try {
            await eventually(async () => expect(await newSystemsOn(b, known)).not.toEqual([]), 60_000);
            expect(lockFiles()).toHaveLength(1);
            const notified = path.join(project.dir, "notified-conflict");
            run = await pipeline({ REMEDIATE: "1", NOTIFY_CMD: `echo "$DRIFT_STATUS $DRIFT_EXIT_CODE" > '${notified}'` });
            console.info(`observed: a pipeline run meeting another runner's update: exit ${run.code} in ${run.seconds.toFixed(1)} s`);
            expectExit(run, EXIT.conflict);
            expect(fs.readFileSync(notified, "utf8")).toBe("conflict 5\n");
            expect(run.stderr).toMatch(new RegExp(`conflict: another runner holds the stack's lock; not touching it:\\n {2}live: \\S+@${os.hostname()} pid \\d+`));
            expect(run.stderr).not.toContain("recovery: pulumi cancel");
            expect(lockFiles()).toHaveLength(1);
        } finally {
            await b.host.sim.control.clearFaults();
            // A failure above must not leave the other update running into the next test.
            expectSuccess(await other.done);
        }
        expect(lockFiles()).toEqual([]);
        await expectConverged();
    });

    it("a runner killed while up --refresh creates leaves its lock and a pending create; the next run clears both (logged) and converges", async () => {
        const target = (await vmsByName()).get("pool-b-0")!;
        const known = await runtimeIdsOn(b);
        await b.host.sim.control.kill(target.id!);
        await b.host.sim.control.guestFault("dial-late", { delayMs: 10_000 });
        const runner = startPipeline({ REMEDIATE: "1" });
        try {
            // The VM's create is under way on the agent (its guest not yet dialled): kill the whole job.
            await Promise.race([
                eventually(async () => expect(await newSystemsOn(b, known)).not.toEqual([]), 90_000),
                runner.done.then((r) => { throw new Error(`the runner ended (${r.code}) before its up created anything:\n${r.stderr}`); }),
            ]);
            process.kill(-runner.child.pid!, "SIGKILL");
        } finally {
            await b.host.sim.control.clearFaults();
        }
        const killed = await runner.done;
        expect(killed.stderr).toContain("step 3: remediation");
        // What the killed runner left in the backend: its lock, and the create it never heard back about.
        expect(lockFiles()).toHaveLength(1);
        expect((await pendingOperations()).map((op) => `${op.type} ${op.resource.urn.split("::").pop()}`)).toEqual(["creating pool-b-0"]);

        const next = await pipeline({ REMEDIATE: "1" });
        console.info(`observed: the run after a killed runner (recovery, remediation): exit ${next.code} in ${next.seconds.toFixed(1)} s`);
        expectExit(next, EXIT.clean);
        const log = next.stderr;
        console.info(`the run after the killed one, its own lines:\n${log.split("\n").filter((l) => /^(reconcile:| {2}\S)/.test(l)).join("\n")}`);
        expect(log).toMatch(/recovery: the state holds pending operations \(.*\):\n {2}creating urn:\S+::pool-b-0\n/);
        expect(log).toMatch(new RegExp(`recovery: the stack's lock was left by a runner that is gone:\\n {2}stale: \\S+@${os.hostname()} pid \\d+, \\d+ s old \\(file://\\S+\\): no such process on this machine`));
        expect(log).toContain("recovery: pulumi cancel --yes");
        expect(log.indexOf("pulumi cancel --yes")).toBeLessThan(log.indexOf("remediated"));
        expect(lockFiles()).toEqual([]);
        expect(await pendingOperations()).toEqual([]);
        await expectConverged();
        expectExit(await pipeline(), EXIT.clean);
    });
});
