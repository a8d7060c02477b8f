/**
 * The reliability suite's shared parts: how many trials to run (a bounded set in CI, the full counts
 * under `npm run soak`), a seeded random source, the documented recovery, the provider processes
 * of a CLI run (to SIGKILL them), and the soak report.
 */
import fs from "node:fs";
import path from "node:path";
import { hostStackDifferences } from "../support/host-matches-stacks";
import { type PulumiProject, type RunResult, type StackState, utilityVms } from "../support/pulumi-project";
import type { TestHost } from "../support/simulated-host";

/** Set by `npm run soak`: the full counts instead of CI's bounded set. */
export const SOAK = process.env.PULUMI_HCS_SOAK === "1";

/** `count` under soak, else `bounded`; PULUMI_HCS_TRIALS overrides both. */
export function trials(bounded: number, soak: number): number {
    const override = Number(process.env.PULUMI_HCS_TRIALS);
    if (Number.isInteger(override) && override > 0) return override;
    return SOAK ? soak : bounded;
}

/** A small seeded generator (mulberry32): the same seed gives the same trials. */
export function seededRandom(seed = Number(process.env.PULUMI_HCS_SOAK_SEED ?? 20261202)): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)]!;
}

/** Short HCS timeouts for the provider processes the CLI starts, so hung calls end within a test. */
export const SHORT_TIMEOUTS: NodeJS.ProcessEnv = Object.fromEntries(
    ["CREATE", "START", "SHUTDOWN", "TERMINATE", "PAUSE", "RESUME", "PROPERTIES", "MODIFY", "ENUMERATE", "SYSCALL"]
        .map((name) => [`PULUMI_HCS_TIMEOUT_${name}`, "5"]),
);

/**
 * The recovery docs/operations.md documents after an interrupted or failed run: release the
 * stack's update lock when the CLI was killed (`pulumi cancel`), refresh while dropping creates the
 * CLI never heard back about (`--clear-pending-creates`: the next create of each recognises what it
 * left on the host), then run the command again.
 */
export async function recover(project: PulumiProject, finalCommand: "up" | "destroy", cliKilled: boolean): Promise<RunResult[]> {
    const results: RunResult[] = [];
    if (cliKilled) results.push(await project.pulumi(["cancel", "--yes"]));
    results.push(await project.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]));
    results.push(await project.pulumi([finalCommand, "--yes", "--skip-preview"]));
    return results;
}

/** PIDs of every process below `root`, from /proc (Linux). */
export function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue;
        }
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    }
    const found: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
        for (const child of children.get(queue.shift()!) ?? []) {
            found.push(child);
            queue.push(child);
        }
    }
    return found;
}

/** The dynamic-provider processes a CLI run started. */
export function providerProcesses(cliPid: number): number[] {
    return descendants(cliPid).filter((pid) => {
        try {
            return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider");
        } catch {
            return false;
        }
    });
}

/** Waits until the simulator has seen `count` more calls of `fn` than `baseline`, or `timeoutMs` passes. */
export async function waitForCalls(host: TestHost, fn: string, baseline: number, count = 1, timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (((await host.sim.control.state()).calls[fn] ?? 0) >= baseline + count) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
}

export async function callCount(host: TestHost, fn: string): Promise<number> {
    return (await host.sim.control.state()).calls[fn] ?? 0;
}

/** Orphans on the host now: systems no stack records. */
export async function orphanCount(host: TestHost, projects: readonly PulumiProject[]): Promise<number> {
    const states = await Promise.all(projects.map((p) => p.exportState()));
    return (await hostStackDifferences(host, states)).filter((p) => p.startsWith("orphan")).length;
}

export async function vmCount(project: PulumiProject): Promise<number> {
    return utilityVms(await project.exportState()).length;
}

/** One trial's outcome, as the soak report counts it. */
export interface TrialRecord {
    readonly suite: string;
    readonly kind: string;
    readonly trial: number;
    /** Systems no stack recorded right after the failure, before any recovery. */
    readonly orphansBefore: number;
    /** Whether host = stack (and the program's VMs) after the documented recovery. */
    readonly converged: boolean;
    readonly problems: readonly string[];
    readonly seconds: number;
}

/**
 * Why a trial did not converge, empty when it did: a recovery command that failed, anything where
 * host and stack differ, or a stack without exactly the program's VMs.
 */
export async function convergenceProblems(host: TestHost, state: StackState, recovery: readonly RunResult[], expectedVms: number): Promise<string[]> {
    const vms = utilityVms(state).length;
    return [
        ...recovery.filter((r) => r.code !== 0).map((r) => `recovery command failed (${r.code}): ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`),
        ...(await hostStackDifferences(host, [state])),
        ...(vms === expectedVms ? [] : [`the stack has ${vms} VMs, the program ${expectedVms}`]),
    ];
}

/**
 * Ends a trial whatever happened in it: the fault healed, the stack destroyed, the project removed,
 * and then whatever is still on the host scrubbed away.
 */
export async function endTrial(host: TestHost, project: PulumiProject, heal: () => Promise<unknown> = () => host.sim.control.clearFaults()): Promise<void> {
    await heal();
    await project.pulumi(["destroy", "--yes", "--skip-preview"]);
    project.remove();
    await scrubHost(host);
}

/**
 * Leaves the host empty whatever a failed trial left (every system terminated, every grant revoked,
 * C:\uvms gone), so one failure does not show up again in every later trial.
 */
export async function scrubHost(host: TestHost): Promise<void> {
    const state = await host.sim.control.state();
    for (const { id } of state.systems) {
        const system = await host.client.openComputeSystem(id).catch(() => undefined);
        if (!system) continue;
        await system.terminate().catch(() => undefined);
        await system.close();
    }
    for (const grant of state.grants) {
        for (const vmId of grant.vmIds) await host.client.revokeVmAccess(vmId, grant.path).catch(() => undefined);
    }
    fs.rmSync(path.join(host.sim.root, "fs", "c", "uvms"), { recursive: true, force: true });
}

/** Appends a trial to the soak report (PULUMI_HCS_SOAK_REPORT, a JSON-lines file), when one is asked for. */
export function record(trial: TrialRecord): void {
    const file = process.env.PULUMI_HCS_SOAK_REPORT;
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(trial)}\n`);
}
