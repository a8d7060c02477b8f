/**
 * HCS calls per second into the simulator, through the provider's koffi binding (libhcssim, its
 * reader and dispatcher threads, koffi's callback relay) and through the bench's wire client (the
 * service's protocol spoken from Node, no native code), on the same service and the same compute
 * system. Their ratio is what the binding adds on top of the service.
 */
import type { ComputeSystem, HcsClient } from "../../provider/dist/src/hcs";
import { connectHost } from "../../provider/dist/src/host/connect-host";
import * as provider from "../../provider/dist/src/pulumi/provider";
import { startBenchHost } from "./bench-host";
import { benchVmInputs } from "../programs/dist/shared/vm-inputs";
import { summarize, type Summary } from "./statistics";
import { checkFloors, type FloorCheck } from "./throughput-floors";
import { WireClient } from "./wire-client";

export interface ThroughputCase {
    /** What one call is, e.g. "op cycle: HcsGetComputeSystemProperties". */
    readonly call: string;
    /** How it was made: "koffi (provider)", "koffi sync", "wire (no koffi)". */
    readonly path: string;
    /** Calls kept in flight at once. */
    readonly inFlight: number;
    /** Calls per second over the repetitions. */
    readonly callsPerSecond: Summary;
}

export interface ThroughputResult {
    readonly cases: ThroughputCase[];
    /** Wire ÷ koffi median calls/s, per call and in-flight count: the binding's overhead factor. */
    readonly overhead: { readonly call: string; readonly inFlight: number; readonly ratio: number }[];
    /** The gross-regression floors (throughput-floors.ts) and whether the binding cleared them. */
    readonly floors: FloorCheck[];
}

export interface ThroughputOptions {
    readonly repetitions: number;
    readonly durationMs: number;
    readonly inFlight: readonly number[];
}

const SERVICE_QUERY = JSON.stringify({ PropertyTypes: ["Basic"] });

/**
 * Measures on a fresh simulator with one running VM (created by the provider itself).
 * @throws Error when the VM cannot be created or a call fails.
 */
export async function measureBindingThroughput(options: ThroughputOptions, log: (line: string) => void): Promise<ThroughputResult> {
    const host = await startBenchHost(8);
    let wire: WireClient | undefined;
    let system: ComputeSystem | undefined;
    try {
        const hostName = host.hostName;
        const checked = await provider.check({}, { ...benchVmInputs(0), host: hostName });
        if (!checked.inputs) throw new Error(`check refused the bench VM: ${JSON.stringify(checked.failures)}`);
        const { id } = await provider.create(checked.inputs);
        const client: HcsClient = (await connectHost(hostName)).hcs;
        system = await client.openComputeSystem(id);
        const open = system;
        wire = await WireClient.connect(host.sim.ready.socket);
        const connection = wire;
        const handle = await connection.open(id);

        const calls: { call: string; path: string; run: () => Promise<void> }[] = [
            {
                call: "op cycle (HcsGetComputeSystemProperties)",
                path: "koffi (provider)",
                run: async () => {
                    await open.properties();
                },
            },
            {
                call: "op cycle (HcsGetComputeSystemProperties)",
                path: "wire (no koffi)",
                run: async () => {
                    JSON.parse(ok(await connection.properties(handle, null)));
                },
            },
            {
                call: "HcsGetServiceProperties",
                path: "koffi (provider, thread pool)",
                run: async () => {
                    await client.serviceProperties(["Basic"]);
                },
            },
            {
                call: "HcsGetServiceProperties",
                path: "koffi (sync, main thread)",
                run: async () => {
                    const out: [string | null] = [null];
                    const hr = client.hcs.HcsGetServiceProperties(SERVICE_QUERY, out);
                    if (hr < 0) throw new Error(`HcsGetServiceProperties failed: ${hr}`);
                    JSON.parse(out[0]!);
                },
            },
            {
                call: "HcsGetServiceProperties",
                path: "wire (no koffi)",
                run: async () => {
                    JSON.parse(ok(await connection.serviceProperties(SERVICE_QUERY)));
                },
            },
        ];

        const cases: ThroughputCase[] = [];
        for (const inFlight of options.inFlight) {
            for (const c of calls) {
                // A synchronous call blocks the loop: more than one in flight means nothing.
                if (c.path.includes("sync") && inFlight > 1) continue;
                await callsPerSecond(c.run, inFlight, 200); // warm up
                const rates: number[] = [];
                for (let i = 0; i < options.repetitions; i++) rates.push(await callsPerSecond(c.run, inFlight, options.durationMs));
                const summary = summarize(rates);
                cases.push({ call: c.call, path: c.path, inFlight, callsPerSecond: summary });
                log(`binding: ${c.call}, ${c.path}, ${inFlight} in flight: ${Math.round(summary.median)} calls/s`);
            }
        }
        const overhead = [];
        for (const inFlight of options.inFlight) {
            for (const call of new Set(calls.map((c) => c.call))) {
                const median = (path: string) => cases.find((c) => c.call === call && c.inFlight === inFlight && c.path.startsWith(path))?.callsPerSecond.median;
                const wireRate = median("wire");
                const koffiRate = median("koffi (provider");
                if (wireRate !== undefined && koffiRate !== undefined) overhead.push({ call, inFlight, ratio: wireRate / koffiRate });
            }
        }
        return { cases, overhead, floors: checkFloors(cases) };
    } finally {
        wire?.close();
        await system?.close();
        await host.stop();
    }
}

/** Calls per second of `call` with `inFlight` callers, over `durationMs`. */
async function callsPerSecond(call: () => Promise<void>, inFlight: number, durationMs: number): Promise<number> {
    let count = 0;
    const started = performance.now();
    const deadline = started + durationMs;
    const caller = async () => {
        while (performance.now() < deadline) {
            await call();
            count++;
        }
    };
    await Promise.all(Array.from({ length: inFlight }, caller));
    return count / ((performance.now() - started) / 1000);
}

function ok(reply: { hr: number; document: string | null }): string {
    if (reply.hr < 0 || reply.document === null) throw new Error(`the simulator failed a call: 0x${(reply.hr >>> 0).toString(16)} ${reply.document ?? ""}`);
    return reply.document;
}
