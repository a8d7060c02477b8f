/**
 * One measurement series: a fresh stack (and, for pulumi-hcs, a fresh simulated host; for
 * pulumi-hcs-agent also a host agent in front of it) taken through `up` of N new resources, a
 * `preview` of the converged stack, a `refresh` and a `destroy`, each timed as the wall time of the
 * `pulumi` command.
 */
import fs from "node:fs";
import path from "node:path";
import { type BenchAgent, startBenchAgent } from "./bench-agent";
import { type BenchHost, callsBetween, startBenchHost } from "./bench-host";
import { type BenchProgram, type BenchStack, newBenchStack } from "./bench-stack";
import { BENCH_WORK } from "./paths";
import { PROFILE_DIR_ENV, profilingNodeOptions } from "./profiling";
import { measureState, type StateSize } from "./state-size";

/**
 * floor: the no-op dynamic provider; pulumi-hcs: the real thing; shape-floor (diagnostic, opt-in):
 * the no-op provider with pulumi-hcs's inputs and outputs (bench/programs/shaped-noop);
 * pulumi-hcs-agent (opt-in): pulumi-hcs reaching the same simulated host through a host agent.
 */
export type Kind = "floor" | "pulumi-hcs" | "shape-floor" | "pulumi-hcs-agent";

export const COMMANDS = ["up", "preview", "refresh", "destroy"] as const;
export type Command = (typeof COMMANDS)[number];

/** Each command as run: one engine pass each (no preview before up, refresh or destroy). */
const ARGS: Readonly<Record<Command, readonly string[]>> = {
    up: ["up", "--yes", "--skip-preview"],
    // A converged stack: any proposed change is a failure (exit 7), not a measurement.
    preview: ["preview", "--expect-no-changes"],
    refresh: ["refresh", "--yes", "--skip-preview"],
    destroy: ["destroy", "--yes", "--skip-preview"],
};

const PROGRAM: Readonly<Record<Kind, BenchProgram>> = { "floor": "noop", "pulumi-hcs": "hcs-vms", "shape-floor": "shaped-noop", "pulumi-hcs-agent": "hcs-vms" };

/** The kinds that run on a simulated host (and are checked against it). */
const ON_SIMULATOR: ReadonlySet<Kind> = new Set(["pulumi-hcs", "pulumi-hcs-agent"]);

export interface SeriesResult {
    readonly kind: Kind;
    readonly n: number;
    readonly run: number;
    readonly seconds: Readonly<Record<Command, number>>;
    readonly state: StateSize;
    /** pulumi-hcs and pulumi-hcs-agent: HCS calls per resource during each command, by computecore function. */
    readonly hcsCallsPerResource?: Readonly<Record<Command, Record<string, number>>>;
}

export interface SeriesOptions {
    /** Profile the dynamic-provider process (and the simulator) of every command into this folder. */
    readonly profileDir?: string;
    /** Also profile the language host's program process. */
    readonly profileProgram?: boolean;
    /** The plugin wrapper folder (profiling.ts) to put first on PATH when profiling. */
    readonly wrapperDir?: string;
    /** Keep the work folder (stack, state) afterwards. */
    readonly keepWork?: boolean;
    readonly log: (line: string) => void;
}

/**
 * Runs the four commands on a fresh stack of `n` resources.
 * @throws Error when a command fails, or the simulated host does not hold what the stack says.
 */
export async function runSeries(kind: Kind, n: number, run: number, options: SeriesOptions): Promise<SeriesResult> {
    const label = `${kind}-n${n}-r${run}`;
    const profileOf = (command: string) => {
        if (!options.profileDir) return undefined;
        const dir = path.join(options.profileDir, `${kind}-n${n}`, command);
        fs.mkdirSync(dir, { recursive: true });
        return dir;
    };
    let host: BenchHost | undefined;
    let agent: BenchAgent | undefined;
    let agentDir: string | undefined;
    const profiledEnv = (dir: string | undefined): NodeJS.ProcessEnv => dir ? { NODE_OPTIONS: profilingNodeOptions(dir) } : {};
    if (ON_SIMULATOR.has(kind)) host = await startBenchHost(8, profiledEnv(profileOf("simulator")));
    let env: NodeJS.ProcessEnv = host ? { PULUMI_HCS_HOST: host.hostName } : {};
    let stack: BenchStack;
    try {
        if (host && kind === "pulumi-hcs-agent") {
            agentDir = fs.mkdtempSync(path.join(BENCH_WORK, `${label}-agent-`));
            agent = await startBenchAgent(host.hostName, agentDir, profiledEnv(profileOf("agent")));
            env = { PULUMI_HCS_HOST: agent.address, ...agent.clientEnv };
        }
        stack = await newBenchStack(PROGRAM[kind], label, n, env, options.profileDir && options.wrapperDir ? [options.wrapperDir] : []);
    } catch (err) {
        await agent?.stop();
        if (agentDir && !options.keepWork) fs.rmSync(agentDir, { recursive: true, force: true });
        await host?.stop();
        throw err;
    }
    try {
        const seconds: Partial<Record<Command, number>> = {};
        const calls: Partial<Record<Command, Record<string, number>>> = {};
        let state: StateSize | undefined;
        for (const command of COMMANDS) {
            const profile = profileOf(command);
            const extraEnv: NodeJS.ProcessEnv = profile ? { [PROFILE_DIR_ENV]: profile } : {};
            if (profile && options.profileProgram) extraEnv.NODE_OPTIONS = profilingNodeOptions(profile);
            const before = host ? await host.callCounts() : undefined;
            const result = await stack.must(ARGS[command], extraEnv);
            seconds[command] = result.seconds;
            if (host && before) calls[command] = callsBetween(before, await host.callCounts(), n);
            if (command === "up") state = measureState(stack.checkpointFile(), n);
            if (host) await expectSystems(host, command === "destroy" ? 0 : n, `${label} after ${command}`);
            options.log(`${label}: ${command} ${result.seconds.toFixed(2)} s`);
        }
        return {
            kind,
            n,
            run,
            seconds: seconds as Record<Command, number>,
            state: state!,
            ...(host ? { hcsCallsPerResource: calls as Record<Command, Record<string, number>> } : {}),
        };
    } catch (err) {
        // What the agent said is the likeliest explanation of a failed agent series.
        if (agent) (err as Error).message += `\n--- the agent's output (last lines):\n${agent.output().split("\n").slice(-20).join("\n")}`;
        throw err;
    } finally {
        if (!options.keepWork) stack.remove();
        await agent?.stop();
        if (agentDir && !options.keepWork) fs.rmSync(agentDir, { recursive: true, force: true });
        await host?.stop();
    }
}

/** The simulated host holds exactly `count` running compute systems. */
async function expectSystems(host: BenchHost, count: number, when: string): Promise<void> {
    const systems = (await host.sim.control.state()).systems;
    const running = systems.filter((s) => s.state === "Running").length;
    if (systems.length !== count || running !== count) {
        throw new Error(`${when}: the simulated host holds ${systems.length} compute systems (${running} running), expected ${count} running`);
    }
}
