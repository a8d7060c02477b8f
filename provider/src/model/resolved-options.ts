/**
 * Provider timeouts after parsing, in whole milliseconds; absent keys use the provider's built-in
 * timeouts. Milliseconds, not the user's strings, so `"90s"` and `"1m30s"` compare equal in diff.
 */
export interface ResolvedTimeouts {
    readonly create?: number;
    readonly update?: number;
    readonly delete?: number;
}

/**
 * Every WcowUtilityVm input with its effective value: defaults applied, paths and GUIDs normalized,
 * memory rounded up to even and the processor count clamped to the host. These are the values the
 * provider shows as outputs and compares in diff, so a stable program never shows a change.
 *
 * Optional members are absent when the user did not set them and there is no value to show yet:
 * `computeSystemId` is generated at create, `host` is filled by the Pulumi layer (it reads
 * `PULUMI_HCS_HOST`), the others simply mean "not set".
 */
export interface ResolvedOptions {
    /** Normalized absolute Windows paths; the last is the scratch folder. */
    readonly layerFolders: readonly string[];
    readonly computeSystemId?: string;
    readonly owner: string;
    /** Normalized host text (`local` or `sim:<path>`). */
    readonly host?: string;
    /** Rounded up to an even number; 0 means the platform default. */
    readonly memorySizeInMB: number;
    readonly allowOvercommit: boolean;
    readonly enableDeferredCommit: boolean;
    readonly fullyPhysicallyBacked: boolean;
    readonly lowMMIOGapInMB: number;
    readonly highMMIOBaseInMB: number;
    readonly highMMIOGapInMB: number;
    /** After the default and the clamp to the host's logical processors. */
    readonly processorCount: number;
    readonly processorLimit: number;
    readonly processorWeight: number;
    readonly storageQoSIopsMaximum: number;
    readonly storageQoSBandwidthMaximum: number;
    /** As written (braces and case kept): hcsshim sends CPUGroupID verbatim. */
    readonly cpuGroupId?: string;
    readonly disableCompartmentNamespace: boolean;
    readonly processDumpLocation?: string;
    readonly dumpDirectoryPath?: string;
    readonly scsiControllerCount: number;
    readonly noDirectMap: boolean;
    readonly noInheritHostTimezone: boolean;
    readonly noWritableFileShares: boolean;
    readonly networkConfigProxy?: string;
    readonly terminateOnLastHandleClosed: boolean;
    readonly start: boolean;
    /** Take over an existing compute system with computeSystemId instead of failing. */
    readonly adoptExisting: boolean;
    readonly timeouts?: ResolvedTimeouts;
}
