/**
 * How long to wait before a retry: exponential from `initialMs`, capped at `maxMs`, with "equal
 * jitter" (half the delay fixed, half random), so two runners that failed together do not retry in
 * lockstep, while each still waits at least half its step.
 */
export interface BackoffPolicy {
    /** The first retry's delay (before jitter). */
    readonly initialMs: number;
    /** No delay exceeds this (before jitter). */
    readonly maxMs: number;
    /** Each retry's delay over the one before. @default 2 */
    readonly factor?: number;
}

/**
 * The delay before retry `attempt` (1 = the first retry).
 * @param random a number in [0, 1); Math.random by default, fixed in tests.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
    const exponent = Math.max(0, attempt - 1);
    const step = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor ?? 2, exponent));
    const half = step / 2;
    return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}
