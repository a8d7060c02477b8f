/**
 * hcsshim's `normalizeMemorySize` (`internal/uvm/create.go`): rounds a size in MB up to the next even
 * number ("2MB alignment"), computed in Go as `(n + 1) &^ 1` on a uint64. `0` stays `0` (the platform
 * default). There is no clamp.
 *
 * The arithmetic is exact: JavaScript's `&` works on 32 bits and would corrupt sizes above 2^31, so
 * numbers use a parity test and bigints cover the whole uint64 range.
 *
 * For a number, the input may be up to `Number.MAX_SAFE_INTEGER`; the result is then at most 2^53,
 * which a double still represents exactly.
 *
 * @throws {RangeError} for a negative or fractional size, a number above `Number.MAX_SAFE_INTEGER`,
 *   or a bigint outside uint64. For 2^64−1, Go's `(n+1)&^1` wraps to 0; we refuse instead.
 */
export function normalizeMemorySize(requested: number): number;
export function normalizeMemorySize(requested: bigint): bigint;
export function normalizeMemorySize(requested: number | bigint): number | bigint {
    if (typeof requested === "bigint") {
        if (requested < 0n || requested >= UINT64_MAX) {
            throw new RangeError(
                `Cannot normalize memory size as it must be a uint64 below 2^64-1: current value is ${requested}`,
            );
        }
        return requested % 2n === 1n ? requested + 1n : requested;
    }
    if (!Number.isSafeInteger(requested) || requested < 0) {
        throw new RangeError(
            `Cannot normalize memory size as it must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}: current value is ${requested}`,
        );
    }
    return requested % 2 === 1 ? requested + 1 : requested;
}

const UINT64_MAX = (1n << 64n) - 1n;

/** hcsshim's warning text when the size changed, logged with fields `requested` and `assigned`. */
export const MEMORY_ALIGNED_MESSAGE = "Changing user requested MemorySizeInMB to align to 2MB";
