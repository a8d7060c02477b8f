/**
 * What changes how options resolve: what the target host reports, and how many CPUs the process that
 * creates the VM may use. hcsshim reads the first two from the host it runs on; we read them from
 * the target (HCS `ProcessorTopology` and the Windows build), because the provider may run elsewhere.
 */
export interface HostFacts {
    /**
     * Logical processors the host partition sees (HCS service property `ProcessorTopology`,
     * `LogicalProcessorCount`). hcsshim uses this rather than Go's `runtime.NumCPU`, which misses
     * processors in other processor groups and under Hyper-V "minroot".
     */
    readonly logicalProcessors: number;
    /** Windows build number (`RtlGetVersion().BuildNumber`), e.g. 20348 for Windows Server 2022. */
    readonly build: number;
    /**
     * CPUs the process that calls HcsCreateComputeSystem may run on: its CPU affinity, what Go's
     * `runtime.NumCPU()` counts and hcsshim's default processor count follows (1 when it is 1, else 2).
     * On the direct hosts (`local`, `sim:`) the provider process creates the VM, so it is that
     * process's `os.availableParallelism()` (the affinity on Windows and Linux alike); a remote host
     * agent would report its own.
     */
    readonly creatorProcessors: number;
}

/**
 * Checks that host facts are usable: `logicalProcessors` and `creatorProcessors` integers ≥ 1, `build`
 * an integer ≥ 0.
 * Host facts come from code (a host query or a command line already checked), so a bad value is a
 * programming error, not a user mistake.
 *
 * @throws {RangeError} when a fact is not a usable integer.
 */
export function assertHostFacts(host: HostFacts): void {
    if (!Number.isSafeInteger(host.logicalProcessors) || host.logicalProcessors < 1) {
        throw new RangeError(
            `Cannot resolve options as host logicalProcessors must be an integer of at least 1: current value is ${String(host.logicalProcessors)}`,
        );
    }
    if (!Number.isSafeInteger(host.creatorProcessors) || host.creatorProcessors < 1) {
        throw new RangeError(
            `Cannot resolve options as creatorProcessors must be an integer of at least 1: current value is ${String(host.creatorProcessors)}`,
        );
    }
    if (!Number.isSafeInteger(host.build) || host.build < 0) {
        throw new RangeError(
            `Cannot resolve options as host build must be a non-negative integer: current value is ${String(host.build)}`,
        );
    }
}
