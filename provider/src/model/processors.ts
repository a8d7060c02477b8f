/**
 * hcsshim's `defaultProcessorCount()`: 1 on a host with a single logical processor, else 2.
 * hcsshim asks `runtime.NumCPU()` of its own process; we ask the target host's logical processor
 * count, because the provider may not run on the target.
 */
export function defaultProcessorCount(hostCount: number): number {
    return hostCount === 1 ? 1 : 2;
}

/**
 * hcsshim's `normalizeProcessorCount`: a count above the host's logical processors becomes the
 * host's count ("To maintain compatibility with Docker we need to automatically downgrade a user CPU
 * count"); anything else is returned unchanged. There is no lower clamp: hcsshim passes 0 and
 * negative counts through, and so does this function (validation rejects them earlier).
 *
 * @throws {TypeError} when either argument is not an integer.
 */
export function normalizeProcessorCount(requested: number, hostCount: number): number {
    if (!Number.isSafeInteger(requested) || !Number.isSafeInteger(hostCount)) {
        throw new TypeError(
            `Cannot normalize processor count as both counts must be integers: current values are requested ${requested}, host ${hostCount}`,
        );
    }
    return requested > hostCount ? hostCount : requested;
}

/** hcsshim's warning text when the count was clamped, logged with fields `requested` and `assigned`. */
export const PROCESSOR_CLAMPED_MESSAGE = "Changing user requested CPUCount to current number of processors";
