import { assertHostFacts, type HostFacts } from "./host-facts";
import { MEMORY_ALIGNED_MESSAGE, normalizeMemorySize } from "./memory";
import type { ModelWarning } from "./model-warning";
import { PROCESSOR_CLAMPED_MESSAGE, defaultProcessorCount, normalizeProcessorCount } from "./processors";
import type { ResolvedOptions } from "./resolved-options";
import { checkArgs, orderFailures } from "./validate";
import type { ValidationFailure } from "./validation-failure";

/** The first Windows build that accepts a CPU group at create (`osversion.V21H1`). */
export const CPU_GROUP_MIN_BUILD = 19043;

/** hcsshim's `errCPUGroupCreateNotSupported` text, verbatim. */
export const CPU_GROUP_BUILD_MESSAGE = `cpu group assignment on create requires a build of ${CPU_GROUP_MIN_BUILD} or higher`;

/** The owner recorded on compute systems we create (hcsshim uses its executable's name). */
export const DEFAULT_OWNER = "pulumi-hcs";

/** hcsshim's `MemorySizeInMB` default. */
export const DEFAULT_MEMORY_SIZE_IN_MB = 1024;

/** The outcome of {@link resolveOptions}. */
export type ResolveResult =
    | { readonly ok: true; readonly options: ResolvedOptions; readonly warnings: ModelWarning[] }
    | { readonly ok: false; readonly failures: ValidationFailure[] };

/**
 * Turns WcowUtilityVm inputs into their effective values for one host: checks every rule (reporting
 * all failures at once), applies defaults, and normalizes as hcsshim's `prepareConfigDoc` does —
 * memory rounded up to an even number of MB, the processor count defaulted for the creating process
 * and clamped to the host, and a CPU group refused on builds before 19043. Values changed on the user's behalf come
 * back as warnings for the caller to log.
 *
 * `computeSystemId` and `host` stay absent when not given: the lifecycle generates the ID at create
 * and the Pulumi layer fills the default host.
 *
 * @throws {RangeError} when `host` facts are not usable integers (a programming error, not user input).
 */
export function resolveOptions(args: unknown, host: HostFacts): ResolveResult {
    assertHostFacts(host);
    const { failures: checkFailures, values } = checkArgs(args);
    const failures = [...checkFailures];
    if (values.cpuGroupId !== undefined && host.build < CPU_GROUP_MIN_BUILD) {
        failures.push({
            field: "cpuGroupId",
            message:
                `${CPU_GROUP_BUILD_MESSAGE} (the host is build ${host.build}; omit cpuGroupId, ` +
                `or use a host on Windows build ${CPU_GROUP_MIN_BUILD} or later)`,
        });
    }
    const layerFolders = values.layerFolders;
    if (failures.length > 0 || layerFolders === undefined) {
        return { ok: false, failures: orderFailures(failures) };
    }

    const warnings: ModelWarning[] = [];
    const requestedMemory = values.memorySizeInMB ?? DEFAULT_MEMORY_SIZE_IN_MB;
    const memorySizeInMB = normalizeMemorySize(requestedMemory);
    if (memorySizeInMB !== requestedMemory) {
        warnings.push({ field: "memorySizeInMB", message: MEMORY_ALIGNED_MESSAGE, requested: requestedMemory, assigned: memorySizeInMB });
    }
    const requestedProcessors = values.processorCount ?? defaultProcessorCount(host.creatorProcessors);
    const processorCount = normalizeProcessorCount(requestedProcessors, host.logicalProcessors);
    if (processorCount !== requestedProcessors) {
        warnings.push({
            field: "processorCount",
            message: PROCESSOR_CLAMPED_MESSAGE,
            requested: requestedProcessors,
            assigned: processorCount,
        });
    }
    const fullyPhysicallyBacked = values.fullyPhysicallyBacked ?? false;

    const options: ResolvedOptions = {
        layerFolders,
        ...(values.computeSystemId !== undefined ? { computeSystemId: values.computeSystemId } : {}),
        owner: values.owner ?? DEFAULT_OWNER,
        ...(values.host !== undefined ? { host: values.host } : {}),
        memorySizeInMB,
        // hcsshim's annotation handler turns overcommit off for fully physically backed VMs.
        allowOvercommit: values.allowOvercommit ?? !fullyPhysicallyBacked,
        enableDeferredCommit: values.enableDeferredCommit ?? false,
        fullyPhysicallyBacked,
        lowMMIOGapInMB: values.lowMMIOGapInMB ?? 0,
        highMMIOBaseInMB: values.highMMIOBaseInMB ?? 0,
        highMMIOGapInMB: values.highMMIOGapInMB ?? 0,
        processorCount,
        processorLimit: values.processorLimit ?? 0,
        processorWeight: values.processorWeight ?? 0,
        storageQoSIopsMaximum: values.storageQoSIopsMaximum ?? 0,
        storageQoSBandwidthMaximum: values.storageQoSBandwidthMaximum ?? 0,
        ...(values.cpuGroupId !== undefined ? { cpuGroupId: values.cpuGroupId } : {}),
        disableCompartmentNamespace: values.disableCompartmentNamespace ?? false,
        ...(values.processDumpLocation !== undefined ? { processDumpLocation: values.processDumpLocation } : {}),
        ...(values.dumpDirectoryPath !== undefined ? { dumpDirectoryPath: values.dumpDirectoryPath } : {}),
        scsiControllerCount: values.scsiControllerCount ?? 1,
        noDirectMap: values.noDirectMap ?? false,
        noInheritHostTimezone: values.noInheritHostTimezone ?? false,
        noWritableFileShares: values.noWritableFileShares ?? false,
        ...(values.networkConfigProxy !== undefined ? { networkConfigProxy: values.networkConfigProxy } : {}),
        terminateOnLastHandleClosed: values.terminateOnLastHandleClosed ?? false,
        start: values.start ?? true,
        adoptExisting: values.adoptExisting ?? false,
        ...(values.timeouts !== undefined ? { timeouts: values.timeouts } : {}),
    };
    return { ok: true, options, warnings };
}
