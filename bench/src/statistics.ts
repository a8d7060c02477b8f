/** Median and spread of repeated measurements. */
export interface Summary {
    readonly n: number;
    readonly median: number;
    readonly min: number;
    readonly max: number;
    /** First and third quartile (linear interpolation between closest ranks). */
    readonly q1: number;
    readonly q3: number;
}

/** @throws RangeError for an empty sample. */
export function summarize(values: readonly number[]): Summary {
    if (values.length === 0) throw new RangeError("Cannot summarize an empty sample");
    const sorted = [...values].sort((a, b) => a - b);
    return {
        n: sorted.length,
        median: quantile(sorted, 0.5),
        min: sorted[0]!,
        max: sorted[sorted.length - 1]!,
        q1: quantile(sorted, 0.25),
        q3: quantile(sorted, 0.75),
    };
}

/** The q-quantile of an ascending sample. */
function quantile(sorted: readonly number[], q: number): number {
    const at = (sorted.length - 1) * q;
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
