/**
 * The least HCS calls per second the binding must reach into the simulator, one call at a time.
 * They catch gross regressions only (a call that started to block, a leak that slows every call
 * down); measured rates are 10–50× higher on 2 shared cores, so a busy machine does not trip them.
 * They moved here from the simulator's test suite, which no longer times anything.
 */
import type { ThroughputCase } from "./binding-throughput";

export interface ThroughputFloor {
    readonly call: string;
    readonly path: string;
    readonly minCallsPerSecond: number;
}

export interface FloorCheck extends ThroughputFloor {
    /** The median calls/s measured with one call in flight, or null when that case did not run. */
    readonly measured: number | null;
    readonly ok: boolean;
}

export const THROUGHPUT_FLOORS: readonly ThroughputFloor[] = [
    { call: "op cycle (HcsGetComputeSystemProperties)", path: "koffi (provider)", minCallsPerSecond: 200 },
    { call: "HcsGetServiceProperties", path: "koffi (sync, main thread)", minCallsPerSecond: 200 },
];

/** Each floor against the median of its case with one call in flight. */
export function checkFloors(cases: readonly ThroughputCase[]): FloorCheck[] {
    return THROUGHPUT_FLOORS.map((floor) => {
        const measured = cases.find((c) => c.call === floor.call && c.path === floor.path && c.inFlight === 1)?.callsPerSecond.median;
        return { ...floor, measured: measured ?? null, ok: measured !== undefined && measured >= floor.minCallsPerSecond };
    });
}
