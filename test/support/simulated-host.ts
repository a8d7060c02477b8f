/**
 * A simulated host for binding and provider tests: a simulator service in a child process (its own
 * temporary root), the base layer seeded, and this process's HCS client pointed at it.
 */
import { startSimulatorProcess, type RunningSimulator, type StartSimulatorOptions } from "../../provider/sim/service/launch";
import { DEFAULT_LAYER, seedLayers } from "../../provider/sim/service/seed-layers";
import { hcsClient, type HcsClient } from "../../provider/src/hcs";

export const BASE_LAYER = DEFAULT_LAYER;

export interface TestHost {
    readonly sim: RunningSimulator;
    /** The `host` input value for this simulator (`sim:<socket>`). */
    readonly hostName: string;
    /** This process's HCS client, talking to the simulator. */
    readonly client: HcsClient;
    stop(): Promise<void>;
}

export async function startTestHost(options: StartSimulatorOptions = {}): Promise<TestHost> {
    const sim = await startSimulatorProcess({ logicalProcessors: 8, ...options });
    seedLayers(sim.root, BASE_LAYER);
    const client = hcsClient(sim.libraryPath);
    client.hcs.simulator!.setServiceAddress(sim.address, sim.secret);
    return {
        sim,
        hostName: `sim:${sim.ready.socket}`,
        client,
        stop: () => sim.stop(),
    };
}

/** The simulator library's live-object counters (strings not yet freed, operations, handles). */
export function libraryCounters(client: HcsClient): { liveStrings: number; liveOperations: number; liveSystemHandles: number } {
    const stats = client.hcs.simulator!.stats();
    return {
        liveStrings: stats.liveStrings as number,
        liveOperations: stats.liveOperations as number,
        liveSystemHandles: stats.liveSystemHandles as number,
    };
}

/** Polls until `check` passes or the time is up (then its last failure is thrown). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await check();
            return;
        } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }
}

/** The configuration the simulator holds for a system now (its document with modifies applied). */
export async function simulatedConfiguration(host: TestHost, id: string): Promise<{
    VirtualMachine: { ComputeTopology: { Memory: { SizeInMB: number }; Processor: { Count: number; Limit?: number; Weight?: number; CpuGroup?: { Id: string } } } };
}> {
    const system = await host.client.openComputeSystem(id);
    try {
        const properties = await system.properties(["Simulator" as never]) as unknown as { Simulator: { Configuration: unknown } };
        return properties.Simulator.Configuration as never;
    } finally {
        await system.close();
    }
}
