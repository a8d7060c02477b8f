/**
 * `pulumi-hcs reconcile` and `pulumi-hcs drift-report` as a team runs them: separate processes, the
 * real Pulumi CLI through the Automation API, a file backend, a stack of three VMs on a simulator.
 * Report-only on a converged stack is Ready (exit 0); a VM killed out of band is Drifted (exit 3)
 * and named; --remediate brings it back (exit 0); two remediating runners at once: one applies, the
 * other meets the stack's lock, retries, and ends Ready with nothing left to do; no duplicate VMs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { DriftSummary } from "../../provider/src/gitops/drift-summary";
import type { ReconcileStatus } from "../../provider/src/gitops/reconcile-status";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, type RunResult, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, "../..");
const PULUMI_HCS = path.join(ROOT, "provider", "bin", "pulumi-hcs.js");

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture));

beforeAll(async () => {
    await project.config({ vms: ["vm-a", "vm-b", "vm-c"].map((name) => ({ name, args: { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`] } })) });
    expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
});

/**
 * The environment the project's own `pulumi` runs with (test/support/pulumi-project.ts): its file
 * backend, PULUMI_HOME and passphrase, the toolchain's CLI first on PATH, offline settings, and the
 * simulator as PULUMI_HCS_HOST. A runner on a CI machine has the same, from its pipeline.
 */
function runnerEnv(): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PATH: [path.join(ROOT, ".tools", "pulumi", "bin"), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(project.dir, ".pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(project.dir, ".state")}`,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-hcs-tests",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        PULUMI_HCS_HOST: host.hostName,
        PULUMI_HCS_LOG_LEVEL: "warn",
        NO_COLOR: "1",
    };
}

interface Runner {
    readonly child: ChildProcess;
    readonly done: Promise<RunResult & { readonly events: ReconcileStatus[] }>;
    /** Resolves with the first event `match` accepts. */
    readonly seen: (match: (s: ReconcileStatus) => boolean) => Promise<ReconcileStatus>;
}

/** Starts `pulumi-hcs <args>` in the project folder (`detached`: in a process group of its own, as a terminal's foreground job). */
function start(args: readonly string[], options: { detached?: boolean } = {}): Runner {
    const child = spawn(process.execPath, [PULUMI_HCS, ...args], { cwd: project.dir, env: runnerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: options.detached ?? false });
    let stdout = "";
    let stderr = "";
    const events: ReconcileStatus[] = [];
    const waiters: { match: (s: ReconcileStatus) => boolean; resolve: (s: ReconcileStatus) => void }[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const lines = stdout.split("\n");
        for (const line of lines.slice(events.length, -1)) {
            const event = parseEvent(line);
            events.push(event as ReconcileStatus);
            for (const w of waiters.filter((w) => event !== undefined && w.match(event))) w.resolve(event!);
        }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<RunResult & { events: ReconcileStatus[] }>((resolve) =>
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, events: events.filter(Boolean) })));
    return {
        child,
        done,
        seen: (match) => new Promise((resolve, reject) => {
            const found = events.find((e) => e !== undefined && match(e));
            if (found) return resolve(found);
            waiters.push({ match, resolve });
            void done.then((r) => reject(new Error(`the runner ended (${r.code}) without that event:\n${r.stdout}\n${r.stderr}`)));
        }),
    };
}

/** A JSON status line; undefined for other output (drift-report's indented JSON, a table). */
function parseEvent(line: string): ReconcileStatus | undefined {
    try {
        const parsed = JSON.parse(line) as unknown;
        return parsed !== null && typeof parsed === "object" && "phase" in parsed ? parsed as ReconcileStatus : undefined;
    } catch {
        return undefined;
    }
}

const reconcile = (...extra: string[]) => start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", ...extra]).done;

/** Fails with the runner's output unless it exited with `code`. */
function expectExit(result: RunResult, code: number): void {
    if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

async function killVm(name: string): Promise<string> {
    const vm = utilityVms(await project.exportState()).find((r) => r.urn.endsWith(`::${name}`))!;
    await host.sim.control.kill(vm.id!);
    return vm.id!;
}

/** The updates in the stack's history that created at least one resource. */
async function updatesThatCreated(): Promise<number> {
    const history = JSON.parse((await project.pulumi(["stack", "history", "--json"])).stdout) as { kind: string; resourceChanges?: Record<string, number> }[];
    return history.filter((h) => h.kind === "update" && (h.resourceChanges?.create ?? 0) > 0).length;
}

describe("pulumi-hcs reconcile on a real stack", () => {
    it("report-only on a converged stack: Reconciling, then Ready/NoDrift with the counts, exit 0; drift-report agrees", async () => {
        const result = await reconcile();
        expectExit(result, 0);
        expect(result.events.map((e) => `${e.phase}/${e.reason}`)).toEqual(["Reconciling/CheckingDrift", "Ready/NoDrift"]);
        expect(result.events[1]).toMatchObject({ stack: "test", pass: 1, attempt: 1, drift: { vms: 3, gone: 0, changed: 0, unchanged: 3 }, nextRunAt: null });
        expect(Number.isNaN(Date.parse(result.events[1]!.time))).toBe(false);

        const report = await start(["drift-report", "--cwd", project.dir, "--stack", project.stack]).done;
        expectExit(report, 0);
        expect(report.stdout).toBe("stack test: no drift (3 VMs checked)\n");
    });

    it("a VM killed out of band: Drifted, exit 3, the summary names it (gone, create); the stack is left alone", async () => {
        const killed = await killVm("vm-b");
        const result = await reconcile();
        expectExit(result, 3);
        const last = result.events.at(-1)!;
        expect(last).toMatchObject({ phase: "Drifted", reason: "DriftFound", drift: { vms: 3, gone: 1, changed: 0, unchanged: 2 } });
        expect(last.summary!.vms).toEqual([expect.objectContaining({ name: "vm-b", computeSystemId: killed, host: host.hostName, drift: "gone", action: "create", fields: [] })]);

        const report = await start(["drift-report", "--cwd", project.dir, "--stack", project.stack, "--json"]).done;
        expectExit(report, 3);
        const summary = JSON.parse(report.stdout) as DriftSummary;
        expect(summary).toMatchObject({ schema: "pulumi-hcs.drift/v1", stack: "test", drifted: true, counts: { vms: 3, gone: 1 } });
        expect(summary.vms.map((vm) => [vm.name, vm.drift, vm.action])).toEqual([["vm-b", "gone", "create"]]);
        // Report-only changed nothing: the system is still gone, the state still records it.
        expect((await host.sim.control.state()).systems.map((s) => s.id)).not.toContain(killed);
    });

    it("--remediate: Remediating, then Ready/Remediated, exit 0; the VM is back and the host matches the stack", async () => {
        const result = await reconcile("--remediate");
        expectExit(result, 0);
        expect(result.events.map((e) => `${e.phase}/${e.reason}`)).toEqual(["Reconciling/CheckingDrift", "Reconciling/Remediating", "Ready/Remediated"]);
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.state)).toEqual(["Running", "Running", "Running"]);
        await expectHostMatchesStacks(host, [state]);
        expectExit(await reconcile(), 0);
    });

    it("two remediating runners at once: exactly one applies, the other retries after the conflict and ends Ready; no duplicate VMs", async () => {
        await killVm("vm-c");
        const createdBefore = await updatesThatCreated();
        // A slow start keeps the applying runner's update (and the stack's lock) long enough to be met.
        await host.sim.control.latency("HcsStartComputeSystem", 6000);
        try {
            const args = ["--remediate", "--backoff", "1s", "--max-backoff", "2s", "--max-retries", "30"];
            const [one, two] = [start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", ...args]),
                start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", ...args])];
            const results = await Promise.all([one.done, two.done]);
            for (const result of results) expectExit(result, 0);
            const reasons = results.map((r) => r.events.map((e) => e.reason));
            const applied = reasons.filter((r) => r.at(-1) === "Remediated");
            const waited = reasons.filter((r) => r.at(-1) === "NoDrift");
            expect([applied.length, waited.length]).toEqual([1, 1]);
            expect(waited[0]).toContain("UpdateConflict");
            expect(results.every((r) => r.events.at(-1)!.phase === "Ready")).toBe(true);
        } finally {
            await host.sim.control.clearFaults();
        }
        expect(await updatesThatCreated()).toBe(createdBefore + 1);
        const state = await project.exportState();
        expect(utilityVms(state)).toHaveLength(3);
        expect((await host.sim.control.state()).systems).toHaveLength(3);
        await expectHostMatchesStacks(host, [state]);
    });

    it("--interval: passes repeat; SIGTERM while waiting stops at once (Stopped, exit of the last pass: 0)", async () => {
        const runner = start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", "--interval", "1h"]);
        const ready = await runner.seen((e) => e.phase === "Ready");
        expect(Date.parse(ready.nextRunAt!) - Date.parse(ready.time)).toBeGreaterThan(3_500_000);
        const signalledAt = Date.now();
        runner.child.kill("SIGTERM");
        const result = await runner.done;
        expect(Date.now() - signalledAt).toBeLessThan(5000);
        expectExit(result, 0);
        expect(result.events.map((e) => `${e.phase}/${e.reason}`)).toEqual(["Reconciling/CheckingDrift", "Ready/NoDrift", "Ready/Stopped"]);
        expect(result.stderr).toContain("SIGTERM: stopping");
    });

    it("a signal during the remediating up lets the up finish: the VM is back, Ready/Remediated, then Stopped (exit 0)", async () => {
        await killVm("vm-a");
        const runner = start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", "--remediate", "--interval", "1h"]);
        await runner.seen((e) => e.reason === "Remediating");
        runner.child.kill("SIGINT");
        const result = await runner.done;
        expectExit(result, 0);
        expect(result.events.map((e) => `${e.phase}/${e.reason}`)).toEqual(["Reconciling/CheckingDrift", "Reconciling/Remediating", "Ready/Remediated", "Ready/Stopped"]);
        // Stopping, it announces no next pass.
        expect(result.events[2]!.nextRunAt).toBeNull();
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.state)).toEqual(["Running", "Running", "Running"]);
        await expectHostMatchesStacks(host, [state]);
    });

    it("Ctrl+C on a terminal (SIGINT to the process group, the pulumi CLI included): the CLI cancels the up cleanly, the runner stops (exit 1); the next pass converges", async () => {
        await killVm("vm-b");
        await host.sim.control.latency("HcsStartComputeSystem", 4000);
        let result: RunResult & { events: ReconcileStatus[] };
        try {
            const runner = start(["reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", "--remediate"], { detached: true });
            await runner.seen((e) => e.reason === "Remediating");
            // Into the update: the VM's create is under way when the signal comes.
            await new Promise((resolve) => setTimeout(resolve, 2500));
            process.kill(-runner.child.pid!, "SIGINT");
            result = await runner.done;
        } finally {
            await host.sim.control.clearFaults();
        }
        expectExit(result, 1);
        expect(result.events.map((e) => e.reason)).toEqual(["CheckingDrift", "Remediating", "Stopped"]);
        const after = await reconcile("--remediate");
        expectExit(after, 0);
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.state)).toEqual(["Running", "Running", "Running"]);
        await expectHostMatchesStacks(host, [state]);
    });
});
