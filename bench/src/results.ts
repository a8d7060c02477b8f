/**
 * The bench's results: raw series, and what is derived from them (medians and spreads, pulumi-hcs
 * over floor ratios, the host-agent path over the direct one, how the ratios grow with N, state
 * sizes, HCS calls per resource).
 */
import type { ThroughputResult } from "./binding-throughput";
import { COMMANDS, type Command, type Kind, type SeriesResult } from "./series";
import type { StateSize } from "./state-size";
import { summarize, type Summary } from "./statistics";

export interface Timing {
    readonly n: number;
    readonly command: Command;
    readonly floor: Summary;
    readonly hcs: Summary;
    /** pulumi-hcs median ÷ floor median. */
    readonly ratio: number;
    /** pulumi-hcs ÷ floor within each run (the two series of a run ran back to back). */
    readonly pairedRatio: Summary;
    /** The diagnostic shape floor (`--shape-floor`), when it ran. */
    readonly shapeFloor?: Summary;
    /** The host-agent path (`--agent`), when it ran. */
    readonly agent?: AgentTiming;
}

/** pulumi-hcs through a host agent (pulumi-hcs-agent) against the direct path on the same kind of simulated host. */
export interface AgentTiming {
    readonly seconds: Summary;
    /** pulumi-hcs-agent median ÷ pulumi-hcs (direct) median: what going through the agent costs. */
    readonly ratioToDirect: number;
    /** pulumi-hcs-agent ÷ pulumi-hcs within each run (the series of a run ran back to back). */
    readonly pairedRatioToDirect: Summary;
    /** pulumi-hcs-agent median ÷ floor median. */
    readonly ratioToFloor: number;
}

export interface Growth {
    readonly command: Command;
    readonly from: number;
    readonly to: number;
    readonly ratioFrom: number;
    readonly ratioTo: number;
    /** "worse" when the ratio grows by more than 10 %, "better" when it falls by more, else "flat". */
    readonly trend: "worse" | "better" | "flat";
    /** What each added resource costs, from the smallest to the largest N: median seconds over resources added, in ms. */
    readonly marginalMsPerResource: { readonly floor: number; readonly hcs: number };
    /** Marginal cost per resource between consecutive sizes, in ms, to show whether time is linear in N. */
    readonly steps: { readonly from: number; readonly to: number; readonly floor: number; readonly hcs: number }[];
}

export interface StateRow extends StateSize {
    readonly n: number;
    readonly kind: Kind;
}

export interface BenchResults {
    readonly startedAt: string;
    readonly totalSeconds: number;
    readonly command: string;
    readonly machine: Record<string, string | number>;
    readonly options: Record<string, unknown>;
    readonly series: readonly SeriesResult[];
    readonly failures: readonly { readonly kind: Kind; readonly n: number; readonly run: number; readonly error: string }[];
    readonly timings: readonly Timing[];
    readonly growth: readonly Growth[];
    readonly state: readonly StateRow[];
    readonly hcsCallsPerResource: readonly { readonly n: number; readonly command: Command; readonly calls: Record<string, number> }[];
    readonly binding?: ThroughputResult;
}

/** Medians and ratios for every size and command both kinds completed at least once. */
export function timingsOf(series: readonly SeriesResult[]): Timing[] {
    const timings: Timing[] = [];
    for (const n of sizesOf(series)) {
        for (const command of COMMANDS) {
            const floor = series.filter((s) => s.kind === "floor" && s.n === n);
            const hcs = series.filter((s) => s.kind === "pulumi-hcs" && s.n === n);
            if (floor.length === 0 || hcs.length === 0) continue;
            const f = summarize(floor.map((s) => s.seconds[command]));
            const h = summarize(hcs.map((s) => s.seconds[command]));
            const paired = pairedRatios(hcs, floor, command);
            const shaped = series.filter((s) => s.kind === "shape-floor" && s.n === n);
            const agent = series.filter((s) => s.kind === "pulumi-hcs-agent" && s.n === n);
            timings.push({
                n, command, floor: f, hcs: h, ratio: h.median / f.median, pairedRatio: summarize(paired.length > 0 ? paired : [h.median / f.median]),
                ...(shaped.length > 0 ? { shapeFloor: summarize(shaped.map((s) => s.seconds[command])) } : {}),
                ...(agent.length > 0 ? { agent: agentTiming(agent, hcs, f, h, command) } : {}),
            });
        }
    }
    return timings;
}

function agentTiming(agent: readonly SeriesResult[], direct: readonly SeriesResult[], floor: Summary, hcs: Summary, command: Command): AgentTiming {
    const seconds = summarize(agent.map((s) => s.seconds[command]));
    const paired = pairedRatios(agent, direct, command);
    return {
        seconds,
        ratioToDirect: seconds.median / hcs.median,
        pairedRatioToDirect: summarize(paired.length > 0 ? paired : [seconds.median / hcs.median]),
        ratioToFloor: seconds.median / floor.median,
    };
}

/** `numerator ÷ denominator` for each run both completed. */
function pairedRatios(numerator: readonly SeriesResult[], denominator: readonly SeriesResult[], command: Command): number[] {
    return numerator.flatMap((s) => {
        const partner = denominator.find((x) => x.run === s.run);
        return partner ? [s.seconds[command] / partner.seconds[command]] : [];
    });
}

/** How each command's ratio moves from the smallest N to `to` (the largest when not given). */
export function growthOf(timings: readonly Timing[], to?: number): Growth[] {
    const sizes = [...new Set(timings.map((t) => t.n))].sort((a, b) => a - b).filter((n) => to === undefined || n <= to);
    if (sizes.length < 2) return [];
    const from = sizes[0]!;
    const last = sizes[sizes.length - 1]!;
    return COMMANDS.map((command) => {
        const at = (n: number) => timings.find((t) => t.n === n && t.command === command)!;
        const a = at(from);
        const b = at(last);
        const change = b.ratio / a.ratio;
        const marginal = (x: Timing, y: Timing, kind: "floor" | "hcs") => Math.round(((y[kind].median - x[kind].median) / (y.n - x.n)) * 10000) / 10;
        const steps = sizes.slice(1).map((n, i) => ({ from: sizes[i]!, to: n, floor: marginal(at(sizes[i]!), at(n), "floor"), hcs: marginal(at(sizes[i]!), at(n), "hcs") }));
        return {
            command,
            from,
            to: last,
            ratioFrom: a.ratio,
            ratioTo: b.ratio,
            trend: change > 1.1 ? "worse" : change < 1 / 1.1 ? "better" : "flat",
            marginalMsPerResource: { floor: marginal(a, b, "floor"), hcs: marginal(a, b, "hcs") },
            steps,
        };
    });
}

/** State sizes per size and kind (the same in every run; the first run's). */
export function stateRowsOf(series: readonly SeriesResult[]): StateRow[] {
    const rows: StateRow[] = [];
    for (const n of sizesOf(series)) {
        for (const kind of ["floor", "shape-floor", "pulumi-hcs", "pulumi-hcs-agent"] as const) {
            const first = series.find((s) => s.kind === kind && s.n === n);
            if (first) rows.push({ n, kind, ...first.state });
        }
    }
    return rows;
}

/** HCS calls per resource per command (deterministic; the first run's). */
export function callsOf(series: readonly SeriesResult[]): BenchResults["hcsCallsPerResource"] {
    const rows: { n: number; command: Command; calls: Record<string, number> }[] = [];
    for (const n of sizesOf(series)) {
        const first = series.find((s) => s.kind === "pulumi-hcs" && s.n === n && s.hcsCallsPerResource);
        if (first) for (const command of COMMANDS) rows.push({ n, command, calls: first.hcsCallsPerResource![command] });
    }
    return rows;
}

function sizesOf(series: readonly SeriesResult[]): number[] {
    return [...new Set(series.map((s) => s.n))].sort((a, b) => a - b);
}
