/**
 * The simulated host a pulumi-hcs series runs on: a fresh simulator service with no added latency
 * (no faults), the base layer the bench programs name seeded under its root.
 */
import { startSimulatorProcess, type RunningSimulator } from "../../provider/dist/sim/service/launch";
import { DEFAULT_LAYER, seedLayers } from "../../provider/dist/sim/service/seed-layers";

export interface BenchHost {
    readonly sim: RunningSimulator;
    /** What PULUMI_HCS_HOST is set to for the series: `sim:<socket>`. */
    readonly hostName: string;
    /** HCS calls per computecore function so far (the service counts every call it receives). */
    callCounts(): Promise<Record<string, number>>;
    stop(): Promise<void>;
}

/**
 * @param logicalProcessors the host's size (the programs ask for 2 processors per VM).
 * @param env extra environment for the service process (NODE_OPTIONS when profiling it).
 */
export async function startBenchHost(logicalProcessors: number, env: NodeJS.ProcessEnv = {}): Promise<BenchHost> {
    const sim = await startSimulatorProcess({ logicalProcessors, env });
    seedLayers(sim.root, DEFAULT_LAYER);
    return {
        sim,
        hostName: `sim:${sim.ready.socket}`,
        callCounts: async () => ({ ...(await sim.control.state()).calls }),
        stop: () => sim.stop(),
    };
}

/** Calls per function made between two counts, divided by `per` (resources), leaving out zeros. */
export function callsBetween(before: Record<string, number>, after: Record<string, number>, per: number): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [fn, count] of Object.entries(after)) {
        const made = count - (before[fn] ?? 0);
        if (made > 0) result[fn] = Number((made / per).toPrecision(2));
    }
    return result;
}
