/**
 * hcsshim's `defaultProcessorCount()`: 1 when the process creating the VM may use a single CPU, else
 * 2. hcsshim counts with `runtime.NumCPU()`, the CPUs in its process's affinity, not the host's
 * logical processors: on an 8-processor host, a creator pinned to one CPU defaults to 1.
 * (`normalizeProcessorCount` then lowers it to the host's count.)
 */
export function defaultProcessorCount(creatorProcessors: number): number {
    return creatorProcessors === 1 ? 1 : 2;
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
