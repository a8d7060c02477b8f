import type { ComputeSystem, CallOptions } from "../hcs";

/** `VirtualMachine/ComputeTopology/Processor/Limits` (hcsshim `CPULimitsResourcePath`). */
const CPU_LIMITS_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Processor/Limits";

/** Builds where HCS accepts runtime CPU limit updates: hcsshim [M] refuses before 20H2 (19042). */
export const CPU_LIMITS_UPDATE_MIN_BUILD = 19042;

/**
 * hcsshim omits zero fields, so "0 = platform default" cannot be sent as 0; resetting to the
 * default sends the default itself. GUESS: the platform defaults are 100000 (100 %) for the limit
 * and 100 for the weight, as the hcsshim annotation docs describe them.
 */
const PLATFORM_DEFAULT_LIMIT = 100_000;
const PLATFORM_DEFAULT_WEIGHT = 100;

/**
 * Applies a processor limit and weight to a running VM (hcsshim `UpdateCPULimits`): one modify
 * request `{ResourcePath, Settings: {Limit, Weight}}` without a RequestType, as hcsshim sends it.
 * @throws Error before calling HCS when the host build is older than 19042; HcsError when HCS refuses.
 */
export async function updateCpuLimits(system: ComputeSystem, build: number, limit: number, weight: number, options: CallOptions): Promise<void> {
    if (build < CPU_LIMITS_UPDATE_MIN_BUILD) {
        throw new Error(`updating processor limits of a running VM requires a build of ${CPU_LIMITS_UPDATE_MIN_BUILD} or higher; this host is build ${build} (replace the VM instead)`);
    }
    await system.modify({
        ResourcePath: CPU_LIMITS_RESOURCE_PATH,
        Settings: {
            Limit: limit === 0 ? PLATFORM_DEFAULT_LIMIT : limit,
            Weight: weight === 0 ? PLATFORM_DEFAULT_WEIGHT : weight,
        },
    }, options);
}
