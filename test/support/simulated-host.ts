/**
 * A simulated host for binding and provider tests: a simulator service (its own temporary root), the
 * base layer seeded, and this process's HCS client pointed at it.
 *
 * Under the Windows test run the service runs on Linux, started through the simulator launcher
 * (`startSimulatorProcess` sees PULUMI_HCS_SIM_LAUNCHER), and is reached over TCP; the tests are
 * the same either way. In the engine suite's agent run (agent-mode.ts, PULUMI_HCS_TEST_VIA_AGENT=1),
 * `hostName` is a host agent in front of the simulator instead.
 */
import fs from "node:fs";
import path from "node:path";
import { startSimulatorProcess, type RunningSimulator, type StartSimulatorOptions } from "../../provider/sim/service/launch";
import { DEFAULT_LAYER, seedLayers } from "../../provider/sim/service/seed-layers";
import { hcsClient, type HcsClient } from "../../provider/src/hcs";
import { SIMULATOR_SECRET_ENV } from "../../provider/src/host/simulated-host";
import { isWindows } from "../../provider/src/platform";
import type { TestAgent } from "./agent";
import { viaAgent } from "./agent-mode";

export const BASE_LAYER = DEFAULT_LAYER;

export interface TestHost {
    readonly sim: RunningSimulator;
    /**
     * The `host` input value for this simulator: `sim:<socket>`, or `sim:tcp:127.0.0.1:<port>`; in the
     * agent run, `grpcs://127.0.0.1:<port>` of the agent in front of it.
     */
    readonly hostName: string;
    /** The agent in front of the simulator, in the agent run (agent-mode.ts). */
    readonly agent?: TestAgent;
    /** This process's HCS client, talking to the simulator. */
    readonly client: HcsClient;
    stop(): Promise<void>;
}

export interface AgentInFrontOptions {
    /**
     * Environment for the agent in front of the simulator, in the agent run: it runs the lifecycle, so
     * it is the agent that reads the PULUMI_HCS_TIMEOUT_* a test shortens.
     */
    readonly env?: NodeJS.ProcessEnv;
}

/** The `host` value that targets a running simulator. */
export function hostNameOf(sim: RunningSimulator): string {
    return sim.address.startsWith("tcp:") ? `sim:${sim.address}` : `sim:${sim.ready.socket}`;
}

/**
 * Starts a simulator and points this process at it. A TCP simulator's secret goes into
 * PULUMI_HCS_SIM_SECRET for as long as the host runs, as an operator would export it: the provider
 * (and the CLI processes tests spawn) read it there. In the agent run an agent is started in front
 * of the simulator, and its client credentials go into the environment the same way.
 */
export async function startTestHost(options: StartSimulatorOptions = {}, agentOptions: AgentInFrontOptions = {}): Promise<TestHost> {
    const sim = await startSimulatorProcess({ logicalProcessors: 8, ...options });
    seedLayers(sim.root, BASE_LAYER);
    const client = hcsClient(sim.libraryPath);
    client.hcs.simulator!.setServiceAddress(sim.address, sim.secret);
    const previousSecret = process.env[SIMULATOR_SECRET_ENV];
    if (sim.secret !== undefined) process.env[SIMULATOR_SECRET_ENV] = sim.secret;
    // Loaded only for the agent run: the other suites (and the Windows run) never need the agent's PKI.
    const inFront = viaAgent() ? await (await import("./agent-in-front")).startAgentInFront(hostNameOf(sim), agentOptions.env) : undefined;
    return {
        sim,
        hostName: inFront?.agent.address ?? hostNameOf(sim),
        ...(inFront !== undefined ? { agent: inFront.agent } : {}),
        client,
        stop: async () => {
            await inFront?.stop();
            if (previousSecret === undefined) delete process.env[SIMULATOR_SECRET_ENV];
            else process.env[SIMULATOR_SECRET_ENV] = previousSecret;
            await sim.stop();
        },
    };
}

export interface LibraryCounters {
    readonly liveStrings: number;
    readonly liveOperations: number;
    readonly liveSystemHandles: number;
}

/** The simulator library's live-object counters (strings not yet freed, operations, handles). */
export function libraryCounters(client: HcsClient): LibraryCounters {
    const stats = client.hcs.simulator!.stats();
    return {
        liveStrings: stats.liveStrings as number,
        liveOperations: stats.liveOperations as number,
        liveSystemHandles: stats.liveSystemHandles as number,
    };
}

/** `liveStrings` of the simulator's Windows DLL, which cannot count (docs/simulator.md, Exports). */
export const STRINGS_UNCOUNTED = -1;
let uncountedNoted = false;

/**
 * The counters when nothing leaked. On Windows the binding frees result strings with kernel32's
 * LocalFree, which the DLL never sees, so its `liveStrings` is always -1 there: that one counter
 * cannot show a leak (the reason is printed once per file), and `local-free.test.ts` proves instead
 * that the binding's LocalFree frees the DLL's strings (returns NULL). Operations and handles are
 * counted on both.
 */
export function noLeaks(): LibraryCounters {
    if (isWindows && !uncountedNoted) {
        uncountedNoted = true;
        console.info("liveStrings is not checked for leaks on Windows: kernel32's LocalFree frees the strings the simulator DLL " +
            "returns, so the DLL cannot count them (it reports -1); test/binding/local-free.test.ts checks the frees instead");
    }
    return { liveStrings: isWindows ? STRINGS_UNCOUNTED : 0, liveOperations: 0, liveSystemHandles: 0 };
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

/**
 * Nothing the provider makes is left on the host: no system, no grant, no guest listener (Hyper-V
 * socket), no scratch folder under C:\uvms.
 */
export async function expectHostEmpty(host: TestHost): Promise<void> {
    const state = await host.sim.control.state();
    expect(state.systems).toEqual([]);
    expect(state.grants).toEqual([]);
    expect(state.hvSockets).toEqual([]);
    expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms"))).toBe(false);
}
