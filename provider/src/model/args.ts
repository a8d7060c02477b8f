/**
 * Custom timeouts for the provider's own waits, in Go duration syntax as Pulumi's `customTimeouts`
 * (`"90s"`, `"5m"`, `"1h30m"`).
 */
export interface TimeoutsArgs {
    /** The longest a create (HCS create, and start when `start` is true) may take. */
    create?: string;
    /** The longest an in-place update (modify, start) may take. */
    update?: string;
    /** The longest a delete (shutdown, terminate, cleanup) may take. */
    delete?: string;
}

/**
 * The inputs of a `WcowUtilityVm`, as a Pulumi program writes them: hcsshim's `OptionsWCOW` names with
 * a lower-case first letter (DESIGN §4). Every input is optional except `layerFolders`. The table in
 * `fields.ts` describes the same inputs as data, in the same order.
 *
 * "Change" says what a new value does to an existing VM: *replace* creates a new VM, *in place*
 * applies the value to the running VM.
 */
export interface WcowUtilityVmArgs {
    /**
     * Read-only layer folders from the top-most down to the base layer, then the scratch folder last
     * (hcsshim `OptionsWCOW.LayerFolders`). The first folder holding `UtilityVM` boots the VM; the
     * scratch folder receives `sandbox.vhdx`. At least 2 absolute Windows paths.
     *
     * Required. Change: replace.
     */
    layerFolders: string[];
    /**
     * The compute system's HCS ID (hcsshim `Options.ID`), usually a GUID. Up to 255 characters and
     * usable as a Windows file name: no control characters, `\ / < > : " | ? *`, reserved device names
     * (`CON`, `nul.txt`, …), `.` or `..`, leading or trailing spaces, or trailing dots.
     *
     * @default a GUID derived from the stack, the resource and the inputs that replace it (the same for a retried create, new for a replacement)
     * Change: replace; when set by the user, the old VM is deleted before the new one is created,
     * because two VMs cannot share an ID.
     */
    computeSystemId?: string;
    /**
     * The owner recorded on the compute system (hcsshim `Options.Owner`), shown by `hcsdiag list`; up
     * to 255 characters.
     *
     * @default "pulumi-hcs" (ours; hcsshim uses its executable's name)
     * Change: replace.
     */
    owner?: string;
    /**
     * The target host: `local`, or `sim:<absolute socket path>` for a simulated host. The Pulumi layer
     * refuses `null` here rather than picking the default host.
     *
     * @default the `PULUMI_HCS_HOST` environment variable, else `local` on Windows
     * Change: replace.
     */
    host?: string;
    /**
     * Memory in MB (hcsshim `Options.MemorySizeInMB`), rounded up to an even number. `0` leaves the size
     * to the platform default (the field is then left out of the HCS document). At most 251658240
     * (240 TB, the most Hyper-V gives one VM).
     *
     * @default 1024
     * Change: in place when `allowOvercommit` is true, else replace.
     */
    memorySizeInMB?: number;
    /**
     * Back memory with host virtual memory, so it can be overcommitted (hcsshim `Options.AllowOvercommit`);
     * false means physically backed memory.
     *
     * @default true, or false when `fullyPhysicallyBacked` is true
     * Change: replace.
     */
    allowOvercommit?: boolean;
    /**
     * Commit memory only when the guest touches it (hcsshim `Options.EnableDeferredCommit`). Needs
     * `allowOvercommit`.
     *
     * @default false
     * Change: replace.
     */
    enableDeferredCommit?: boolean;
    /**
     * Back memory and devices physically (hcsshim `Options.FullyPhysicallyBacked`); forces VSMB
     * `NoDirectmap` and makes `allowOvercommit` default to false.
     *
     * @default false
     * Change: replace.
     */
    fullyPhysicallyBacked?: boolean;
    /**
     * Size of the low MMIO gap in MB (hcsshim `Options.LowMMIOGapInMB`), at most 4095 (the gap lies
     * below 4 GB); 0 leaves the platform default.
     *
     * @default 0
     * Change: replace.
     */
    lowMMIOGapInMB?: number;
    /**
     * Base of the high MMIO region in MB (hcsshim `Options.HighMMIOBaseInMB`); 0 leaves the platform default.
     * Base plus gap stay within 2^32 MB (2^52 bytes, x86-64's physical address limit).
     *
     * @default 0
     * Change: replace.
     */
    highMMIOBaseInMB?: number;
    /**
     * Size of the high MMIO gap in MB (hcsshim `Options.HighMMIOGapInMB`); 0 leaves the platform default.
     * Base plus gap stay within 2^32 MB.
     *
     * @default 0
     * Change: replace.
     */
    highMMIOGapInMB?: number;
    /**
     * Virtual processors (hcsshim `Options.ProcessorCount`), 1 to 2147483647, lowered to the host's
     * logical processor count when larger.
     *
     * @default 2, or 1 when the process creating the VM may use only one CPU, clamped to host
     * Change: replace.
     */
    processorCount?: number;
    /**
     * Processor cap, 0 to 100000 where 100000 is 100% (hcsshim `Options.ProcessorLimit`); 0 leaves the
     * platform default.
     *
     * @default 0
     * Change: in place.
     */
    processorLimit?: number;
    /**
     * Relative processor weight, 0 to 10000 (hcsshim `Options.ProcessorWeight`); 0 leaves the platform
     * default (100).
     *
     * @default 0
     * Change: in place.
     */
    processorWeight?: number;
    /**
     * Storage I/O operations per second cap, 0 to 2147483647 (hcsshim `Options.StorageQoSIopsMaximum`);
     * 0 means no cap.
     *
     * @default 0
     * Change: replace.
     */
    storageQoSIopsMaximum?: number;
    /**
     * Storage bandwidth cap in bytes per second, 0 to 2147483647 (hcsshim
     * `Options.StorageQoSBandwidthMaximum`); 0 means no cap.
     *
     * @default 0
     * Change: replace.
     */
    storageQoSBandwidthMaximum?: number;
    /**
     * The host CPU group to run in, as a GUID (hcsshim `Options.CPUGroupID`). Needs Windows build 19043
     * or later. The group must exist on the host.
     *
     * @default none
     * Change: in place.
     */
    cpuGroupId?: string;
    /**
     * Do not enable the guest's compartment namespace (hcsshim `Options.DisableCompartmentNamespace`);
     * by default the registry value `gns\EnableCompartmentNamespace=1` is set.
     *
     * @default false
     * Change: replace.
     */
    disableCompartmentNamespace?: boolean;
    /**
     * Folder inside the utility VM for process crash dumps (hcsshim `Options.ProcessDumpLocation`); when
     * set, Windows Error Reporting is configured to keep local dumps.
     *
     * @default none
     * Change: replace.
     */
    processDumpLocation?: string;
    /**
     * Host folder for the VM's bugcheck saved-state files (hcsshim `Options.DumpDirectoryPath`); it must
     * exist as a directory on the host.
     *
     * @default none
     * Change: replace.
     */
    dumpDirectoryPath?: string;
    /**
     * Number of SCSI controllers (hcsshim `Options.SCSIControllerCount`); WCOW requires exactly 1.
     *
     * @default 1
     * Change: replace.
     */
    scsiControllerCount?: number;
    /**
     * Turn off direct mapping for the VM's VSMB shares (hcsshim `OptionsWCOW.NoDirectMap`).
     *
     * @default false
     * Change: replace.
     */
    noDirectMap?: boolean;
    /**
     * Give the guest UTC instead of the host's time zone (hcsshim `OptionsWCOW.NoInheritHostTimezone`).
     *
     * @default false
     * Change: replace.
     */
    noInheritHostTimezone?: boolean;
    /**
     * Refuse writable file shares added later (hcsshim `Options.NoWritableFileShares`).
     *
     * @default false
     * Change: in place (provider-side; nothing is sent to HCS).
     */
    noWritableFileShares?: boolean;
    /**
     * Address of the network configuration proxy (ncproxy) for this VM (hcsshim
     * `Options.NetworkConfigProxy`).
     *
     * @default none
     * Change: in place (provider-side; nothing is sent to HCS).
     */
    networkConfigProxy?: string;
    /**
     * Let HCS terminate the VM when the last handle to it closes (HCS
     * `ShouldTerminateOnLastHandleClosed`). hcsshim always sets it; we default to false because the
     * provider process exits after each operation while the VM must keep running.
     *
     * @default false (ours)
     * Change: replace.
     */
    terminateOnLastHandleClosed?: boolean;
    /**
     * Start the VM after creating it.
     *
     * @default true (ours)
     * Change: false to true starts the VM in place; true to false replaces it.
     */
    start?: boolean;
    /**
     * When a compute system with `computeSystemId` already exists, take it over instead of failing:
     * the resource then manages it, and its delete leaves the files it did not make. This is what
     * the SDK turns the `import` resource option into (Pulumi cannot import into a dynamic provider).
     *
     * @default false (ours)
     * Change: none (read only at create; dropping the import option later changes nothing).
     */
    adoptExisting?: boolean;
    /**
     * Limits for the provider's create, update and delete waits.
     *
     * @default none (the provider's built-in timeouts)
     * Change: in place (provider-side; nothing is sent to HCS).
     */
    timeouts?: TimeoutsArgs;
}
