/** The longest wait we accept: Node.js timers fire at once (with a warning) for longer delays. */
export const MAX_DURATION_MS = 2_147_483_647;

/** The outcome of {@link parseDuration}. */
export type DurationParse =
    | { readonly ok: true; readonly milliseconds: number }
    | { readonly ok: false; readonly reason: string };

// Nanoseconds per unit, as Go's time.ParseDuration (which Pulumi's customTimeouts strings follow).
const UNITS: ReadonlyMap<string, bigint> = new Map([
    ["ns", 1n],
    ["us", 1_000n],
    ["\u00b5s", 1_000n], // µ MICRO SIGN
    ["\u03bcs", 1_000n], // μ GREEK SMALL LETTER MU
    ["ms", 1_000_000n],
    ["s", 1_000_000_000n],
    ["m", 60_000_000_000n],
    ["h", 3_600_000_000_000n],
]);

const TERM = /(\d*)(?:\.(\d*))?([^\d.]+)/y;
const EXAMPLES = `like "90s", "5m" or "1h30m" (units ns, us, ms, s, m, h)`;

/**
 * Parses a duration in Go's `time.ParseDuration` syntax, the syntax of Pulumi's `customTimeouts`
 * strings: a sequence of decimal numbers, each with an optional fraction and a unit (`"300ms"`,
 * `"1.5h"`, `"2h45m"`). The result is whole milliseconds, rounded up so a tiny positive duration
 * never becomes "no wait".
 *
 * Differences from Go, on purpose: a sign is refused (a timeout must be positive), zero is refused,
 * and the result must not exceed {@link MAX_DURATION_MS} (about 24.8 days).
 */
export function parseDuration(text: string): DurationParse {
    const fail = (why: string): DurationParse => ({ ok: false, reason: why });
    if (text.length === 0) return fail(`the duration is empty; write one ${EXAMPLES}`);
    if (text.startsWith("-")) return fail(`${JSON.stringify(text)} is negative; a timeout must be a positive duration ${EXAMPLES}`);
    if (text.startsWith("+")) return fail(`${JSON.stringify(text)} has a sign; write the duration without it, ${EXAMPLES}`);
    if (text === "0") return fail(`"0" is not a usable timeout; a timeout must be greater than 0, ${EXAMPLES}`);

    let nanoseconds = 0n;
    TERM.lastIndex = 0;
    while (TERM.lastIndex < text.length) {
        const start = TERM.lastIndex;
        const match = TERM.exec(text);
        if (match === null || match.index !== start) {
            const rest = text.slice(start);
            if (/^\d*\.?\d*$/.test(rest)) {
                return fail(`${JSON.stringify(text)} is not a duration: ${JSON.stringify(rest)} has no unit; write one ${EXAMPLES}`);
            }
            return fail(`${JSON.stringify(text)} is not a duration: unexpected ${JSON.stringify(rest)}; write one ${EXAMPLES}`);
        }
        const [, whole = "", fraction, unitText = ""] = match;
        if (whole === "" && (fraction === undefined || fraction === "")) {
            return fail(`${JSON.stringify(text)} is not a duration: the unit ${JSON.stringify(unitText)} has no number before it; write one ${EXAMPLES}`);
        }
        const unit = UNITS.get(unitText);
        if (unit === undefined) {
            return fail(`${JSON.stringify(text)} is not a duration: unknown unit ${JSON.stringify(unitText)}; write one ${EXAMPLES}`);
        }
        nanoseconds += BigInt(whole === "" ? "0" : whole) * unit;
        if (fraction !== undefined && fraction !== "") {
            nanoseconds += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
        }
        if (nanoseconds > BigInt(MAX_DURATION_MS) * 1_000_000n) {
            return fail(`${JSON.stringify(text)} is longer than the longest supported timeout, ${MAX_DURATION_MS}ms (about 24.8 days); choose a shorter duration`);
        }
    }
    if (nanoseconds === 0n) return fail(`${JSON.stringify(text)} is zero; a timeout must be greater than 0, ${EXAMPLES}`);
    const milliseconds = Number((nanoseconds + 999_999n) / 1_000_000n);
    return { ok: true, milliseconds };
}
