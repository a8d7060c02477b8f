/**
 * The simulator's own schema of the HCS JSON types, written independently of the provider's document
 * builder (DESIGN §5): if both sides shared one schema, a wrong field name would pass every test and
 * fail on Windows.
 *
 * Source: Microsoft's HCS schema reference, `virtualization/api/hcs/SchemaReference.md` in
 * MicrosoftDocs/Virtualization-Documentation (read at commit d79faa5926faab489ced64b27dc7c5edaa68ddf3,
 * schema versions 2.0–2.6). Fields that document does not list but hcsshim's `internal/hcs/schema2`
 * structs send are added and marked `// hcsshim` (hcsshim v0.12.9's `internal/hcs/schema2` is that second source).
 * Field names are case-sensitive, as in the reference.
 *
 * Only the types a WCOW utility VM and its modify/query requests use are spelled out; the rest of
 * the reference (containers, process parameters, ...) is not, and the simulator refuses those systems.
 */

export type FieldType =
    | { readonly kind: "bool" }
    | { readonly kind: "string" }
    | { readonly kind: "guid" }
    | { readonly kind: "int"; readonly name: string; readonly min: number; readonly max: number }
    | { readonly kind: "enum"; readonly name: string; readonly values: readonly string[] }
    | { readonly kind: "struct"; readonly name: string }
    | { readonly kind: "array"; readonly of: FieldType }
    | { readonly kind: "map"; readonly key: MapKey; readonly of: FieldType }
    | { readonly kind: "object" }
    | { readonly kind: "any" };

export type MapKey = "string" | "guid" | "uint8" | "uint32" | "uint64";

const bool: FieldType = { kind: "bool" };
const string: FieldType = { kind: "string" };
const guid: FieldType = { kind: "guid" };
const uint8: FieldType = { kind: "int", name: "uint8", min: 0, max: 255 };
const uint16: FieldType = { kind: "int", name: "uint16", min: 0, max: 0xffff };
const uint32: FieldType = { kind: "int", name: "uint32", min: 0, max: 0xffffffff };
// JSON numbers above 2^53 lose precision in any parser built on doubles; the bounds are still exact.
const uint64: FieldType = { kind: "int", name: "uint64", min: 0, max: 2 ** 64 - 1 };
const int32: FieldType = { kind: "int", name: "int32", min: -(2 ** 31), max: 2 ** 31 - 1 };
const int64: FieldType = { kind: "int", name: "int64", min: -(2 ** 63), max: 2 ** 63 - 1 };
/** Any JSON object, not checked further (types the simulator does not model field by field). */
const object: FieldType = { kind: "object" };
/** Any JSON value (the reference's `Any`). */
const any: FieldType = { kind: "any" };
const struct = (name: string): FieldType => ({ kind: "struct", name });
const array = (of: FieldType): FieldType => ({ kind: "array", of });
const map = (key: MapKey, of: FieldType): FieldType => ({ kind: "map", key, of });
const enumOf = (name: string, ...values: string[]): FieldType => ({ kind: "enum", name, values });

/** Enums, as SchemaReference.md lists them. */
export const ENUMS = {
    ApplySecureBootTemplateType: enumOf("ApplySecureBootTemplateType", "Skip", "Apply"),
    // ExtensibleVirtualDisk: hcsshim (`evd://` disks); not in the reference's AttachmentType.
    AttachmentType: enumOf("AttachmentType", "VirtualDisk", "Iso", "PassThru", "ExtensibleVirtualDisk"),
    CachingMode: enumOf("CachingMode", "Uncached", "Cached", "ReadOnlyCached"),
    MemoryBackingPageSize: enumOf("MemoryBackingPageSize", "Small", "Large"),
    ModifyRequestType: enumOf("ModifyRequestType", "Add", "Remove", "Update"),
    RegistryHive: enumOf("RegistryHive", "System", "Software", "Security", "Sam"),
    RegistryValueType: enumOf("RegistryValueType", "None", "String", "ExpandedString", "MultiString", "Binary", "DWord", "QWord", "CustomType"),
    SerialConsole: enumOf("SerialConsole", "Default", "Disabled", "ComPort1", "ComPort2"),
    UefiBootDevice: enumOf("UefiBootDevice", "ScsiDrive", "VmbFs", "Network", "File"),
    VirtualPMemBackingType: enumOf("VirtualPMemBackingType", "Virtual", "Physical"),
    VirtualPMemImageFormat: enumOf("VirtualPMemImageFormat", "Vhdx", "Vhd1"),
    FlexibleIoDeviceHostingModel: enumOf("FlexibleIoDeviceHostingModel", "Internal", "External"),
    StateOverride: enumOf("StateOverride", "Default", "Disabled", "Enabled"),
    InterruptModerationMode: enumOf("InterruptModerationMode", "Default", "Adaptive", "Off", "Low", "Medium", "High"),
    ProcessorFeatureSetMode: enumOf("ProcessorFeatureSetMode", "Strict", "Permissive"),
    SystemType: enumOf("SystemType", "Container", "VirtualMachine"),
    PauseSuspensionLevel: enumOf("PauseSuspensionLevel", "Suspend", "MemoryLow", "MemoryMedium", "MemoryHigh"),
    PauseReason: enumOf("PauseReason", "None", "Save", "Template"),
    ShutdownMechanism: enumOf("ShutdownMechanism", "GuestConnection", "IntegrationService"),
    ShutdownType: enumOf("ShutdownType", "Shutdown", "Hibernate", "Reboot"),
} as const;

/** System_PropertyType (the documented set, plus hcsshim's `CpuGroup` and `GuestMemory`) and the simulator's own. */
export const SYSTEM_PROPERTY_TYPES = [
    "Memory", "Statistics", "ProcessList", "TerminateOnLastHandleClosed", "SharedMemoryRegion", "GuestConnection",
    "CpuGroup", "Simulator",
] as const;

/** GetPropertyType (service properties), plus the simulator's own `Simulator`. */
export const SERVICE_PROPERTY_TYPES = [
    "Basic", "CpuGroup", "ProcessorTopology", "ContainerCredentialGuard", "QoSCapabilities", "Simulator",
] as const;

/** Struct types by name: field name → type. A struct with no fields must be `{}`. */
export const STRUCTS: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
    ComputeSystem: {
        Owner: string,
        SchemaVersion: struct("Version"),
        HostingSystemId: string,
        HostedSystem: any,
        Container: object,
        VirtualMachine: struct("VirtualMachine"),
        ShouldTerminateOnLastHandleClosed: bool,
    },
    Version: { Major: uint32, Minor: uint32 },
    VirtualMachine: {
        Version: struct("Version"),
        StopOnReset: bool,
        Chipset: struct("Chipset"),
        ComputeTopology: struct("Topology"),
        Devices: struct("Devices"),
        Services: struct("Services"),
        GuestState: struct("GuestState"),
        RestoreState: struct("RestoreState"),
        RegistryChanges: struct("RegistryChanges"),
        StorageQoS: struct("StorageQoS"),
        GuestConnection: struct("GuestConnection"),
        SecuritySettings: object, // hcsshim (confidential WCOW); not in the reference
        DebugOptions: struct("DebugOptions"), // hcsshim; not in the reference
    },
    Chipset: {
        Uefi: struct("Uefi"),
        IsNumLockDisabled: bool,
        BaseBoardSerialNumber: string,
        ChassisSerialNumber: string,
        ChassisAssetTag: string,
        EnableHibernation: bool,
        UseUtc: bool,
        LinuxKernelDirect: struct("LinuxKernelDirect"),
        FirmwareFile: object, // hcsshim master; not in the reference
    },
    Uefi: {
        EnableDebugger: bool,
        SecureBootTemplateId: guid,
        ApplySecureBootTemplate: ENUMS.ApplySecureBootTemplateType,
        BootThis: struct("UefiBootEntry"),
        Console: ENUMS.SerialConsole,
        StopOnBootFailure: bool,
    },
    UefiBootEntry: {
        DeviceType: ENUMS.UefiBootDevice,
        DevicePath: string,
        DiskNumber: uint16,
        OptionalData: string,
        VmbFsRootPath: string,
    },
    LinuxKernelDirect: { KernelFilePath: string, InitRdPath: string, KernelCmdLine: string },
    Topology: { Memory: struct("VirtualMachine_Memory"), Processor: struct("VirtualMachine_Processor") },
    VirtualMachine_Memory: {
        SizeInMB: uint64,
        AllowOvercommit: bool,
        BackingPageSize: ENUMS.MemoryBackingPageSize,
        FaultClusterSizeShift: uint32,
        DirectMapFaultClusterSizeShift: uint32,
        PinBackingPages: bool,
        ForbidSmallBackingPages: bool,
        EnableHotHint: bool,
        EnableColdHint: bool,
        EnableEpf: bool, // hcsshim
        EnableColdDiscardHint: bool,
        EnableDeferredCommit: bool,
        LowMmioGapInMB: uint64,
        HighMmioBaseInMB: uint64,
        HighMmioGapInMB: uint64,
    },
    VirtualMachine_Processor: {
        Count: uint32,
        Limit: uint64,
        Weight: uint64,
        Reservation: uint64,
        MaximumFrequencyMHz: uint32,
        ExposeVirtualizationExtensions: bool,
        EnablePerfmonPmu: bool,
        EnablePerfmonArchPmu: bool,
        EnablePerfmonPebs: bool,
        EnablePerfmonLbr: bool,
        EnablePerfmonIpt: bool,
        EnablePageShattering: bool,
        DisableSpeculationControls: bool,
        ProcessorFeatureSet: struct("ProcessorFeatureSet"),
        CpuGroup: struct("CpuGroup"),
    },
    // The reference enumerates ~150 processor features; the simulator takes any names.
    ProcessorFeatureSet: {
        ProcessorFeatures: array(string),
        XsaveProcessorFeatures: array(string),
        ProcessorFeatureSetMode: ENUMS.ProcessorFeatureSetMode,
    },
    CpuGroup: { Id: guid },
    Devices: {
        ComPorts: map("uint32", struct("ComPort")),
        VirtioSerial: struct("VirtioSerial"),
        Scsi: map("string", struct("Scsi")),
        VirtualPMem: struct("VirtualPMemController"),
        NetworkAdapters: map("string", struct("NetworkAdapter")),
        VideoMonitor: struct("VideoMonitor"),
        Keyboard: struct("Empty"),
        Mouse: struct("Empty"),
        HvSocket: struct("VirtualMachine_HvSocket"),
        EnhancedModeVideo: struct("EnhancedModeVideo"),
        GuestCrashReporting: struct("GuestCrashReporting"),
        VirtualSmb: struct("VirtualSmb"),
        Plan9: struct("Plan9"),
        Battery: struct("Empty"),
        FlexibleIov: map("string", struct("FlexibleIoDevice")),
        SharedMemory: struct("SharedMemoryConfiguration"),
        VirtualPci: map("string", struct("VirtualPciDevice")),
    },
    Empty: {},
    ComPort: { NamedPipe: string, OptimizeForDebugger: bool },
    VirtioSerial: { Ports: map("uint32", struct("VirtioSerialPort")) },
    VirtioSerialPort: { NamedPipe: string, Name: string },
    Scsi: { Attachments: map("uint32", struct("Attachment")), DisableInterruptBatching: bool },
    Attachment: {
        Type: ENUMS.AttachmentType,
        Path: string,
        CachingMode: ENUMS.CachingMode,
        ReadOnly: bool,
        SupportCompressedVolumes: bool,
        AlwaysAllowSparseFiles: bool,
        SupportEncryptedFiles: bool,
        IgnoreFlushes: bool, // hcsshim
        NoWriteHardening: bool, // hcsshim
        DisableExpansionOptimization: bool, // hcsshim
        IgnoreRelativeLocator: bool, // hcsshim
        CaptureIoAttributionContext: bool, // hcsshim
        ExtensibleVirtualDiskType: string, // hcsshim
    },
    VirtualPMemController: {
        Devices: map("uint8", struct("VirtualPMemDevice")),
        MaximumCount: uint8,
        MaximumSizeBytes: uint64,
        Backing: ENUMS.VirtualPMemBackingType,
    },
    VirtualPMemDevice: {
        HostPath: string,
        ReadOnly: bool,
        ImageFormat: ENUMS.VirtualPMemImageFormat,
        SizeBytes: uint64,
        Mappings: map("uint64", struct("VirtualPMemMapping")),
    },
    VirtualPMemMapping: { HostPath: string, ImageFormat: ENUMS.VirtualPMemImageFormat },
    NetworkAdapter: {
        EndpointId: guid,
        MacAddress: string,
        InstanceId: guid,
        DisableInterruptBatching: bool,
        IovSettings: struct("IovSettings"),
        ConnectionState: ENUMS.StateOverride,
    },
    IovSettings: { OffloadWeight: uint32, QueuePairsRequested: uint32, InterruptModeration: ENUMS.InterruptModerationMode },
    VideoMonitor: { HorizontalResolution: uint16, VerticalResolution: uint16, ConnectionOptions: struct("RdpConnectionOptions") },
    EnhancedModeVideo: { ConnectionOptions: struct("RdpConnectionOptions") },
    RdpConnectionOptions: { AccessSids: array(string), NamedPipe: string },
    VirtualMachine_HvSocket: { HvSocketConfig: struct("HvSocketSystemConfig") },
    HvSocketSystemConfig: {
        DefaultBindSecurityDescriptor: string,
        DefaultConnectSecurityDescriptor: string,
        ServiceTable: map("guid", struct("HvSocketServiceConfig")),
    },
    HvSocketServiceConfig: {
        BindSecurityDescriptor: string,
        ConnectSecurityDescriptor: string,
        AllowWildcardBinds: bool,
        Disabled: bool, // hcsshim
    },
    GuestCrashReporting: { WindowsCrashSettings: struct("WindowsCrashReporting") },
    WindowsCrashReporting: { DumpFileName: string, MaxDumpSize: int64, DumpType: string /* hcsshim master */ },
    VirtualSmb: { Shares: array(struct("VirtualSmbShare")), DirectFileMappingInMB: int64 },
    VirtualSmbShare: { Name: string, Path: string, AllowedFiles: array(string), Options: struct("VirtualSmbShareOptions") },
    VirtualSmbShareOptions: {
        ReadOnly: bool,
        ShareRead: bool,
        CacheIo: bool,
        NoOplocks: bool,
        TakeBackupPrivilege: bool,
        UseShareRootIdentity: bool,
        NoDirectmap: bool,
        NoLocks: bool,
        NoDirnotify: bool,
        VmSharedMemory: bool,
        RestrictFileAccess: bool,
        ForceLevelIIOplocks: bool,
        ReparseBaseLayer: bool,
        PseudoOplocks: bool,
        NonCacheIo: bool,
        PseudoDirnotify: bool,
        SingleFileMapping: bool,
        SupportCloudFiles: bool,
        FilterEncryptionAttributes: bool,
    },
    Plan9: { Shares: array(struct("Plan9Share")) },
    Plan9Share: {
        Name: string,
        AccessName: string,
        Path: string,
        Port: uint32,
        Flags: int32, // hcsshim
        ReadOnly: bool, // hcsshim
        UseShareRootIdentity: bool, // hcsshim
        AllowedFiles: array(string),
    },
    FlexibleIoDevice: { EmulatorId: guid, HostingModel: ENUMS.FlexibleIoDeviceHostingModel, Configuration: array(string) },
    SharedMemoryConfiguration: { Regions: array(struct("SharedMemoryRegion")) },
    SharedMemoryRegion: { SectionName: string, StartOffset: uint64, Length: uint64, AllowGuestWrite: bool, HiddenFromGuest: bool },
    VirtualPciDevice: { Functions: array(struct("VirtualPciFunction")) },
    VirtualPciFunction: { DeviceInstancePath: string, VirtualFunction: uint16, AllowDirectTranslatedP2P: bool },
    Services: { Heartbeat: struct("Empty"), Shutdown: struct("Empty"), Timesync: struct("Empty"), KvpExchange: struct("KvpExchange") },
    KvpExchange: { EnableHostOSInfoKvpItems: ENUMS.StateOverride, EntriesToBeAdded: map("string", string), EntriesToBeRemoved: array(string) },
    GuestState: {
        GuestStateFilePath: string,
        GuestStateFileType: string, // hcsshim master
        RuntimeStateFilePath: string,
        ForceTransientState: bool,
    },
    RestoreState: { SaveStateFilePath: string, TemplateSystemId: string },
    RegistryChanges: { AddValues: array(struct("RegistryValue")), DeleteKeys: array(struct("RegistryKey")) },
    RegistryKey: { Hive: ENUMS.RegistryHive, Name: string, Volatile: bool },
    RegistryValue: {
        Key: struct("RegistryKey"),
        Name: string,
        Type: ENUMS.RegistryValueType,
        StringValue: string,
        BinaryValue: string,
        DWordValue: uint32,
        QWordValue: uint64,
        CustomType: uint32,
    },
    StorageQoS: { IopsMaximum: uint64, BandwidthMaximum: uint64 },
    GuestConnection: { UseVsock: bool, UseConnectedSuspend: bool, UseHostTimeZone: bool },
    DebugOptions: {
        // hcsshim; the reference has no DebugOptions type
        BugcheckSavedStateFileName: string,
        BugcheckNoCrashdumpSavedStateFileName: string,
        TripleFaultSavedStateFileName: string,
        FirmwareDumpFileName: string,
    },

    // Request documents.
    ModifySettingRequest: { ResourcePath: string, RequestType: ENUMS.ModifyRequestType, Settings: any, GuestRequest: any },
    ProcessorLimits: { Limit: uint64, Weight: uint64, Reservation: uint64, MaximumFrequencyMHz: uint32 },
    System_PropertyQuery: { PropertyTypes: array(string), Queries: map("string", any) },
    Service_PropertyQuery: { PropertyTypes: array(string), PropertyQueries: map("string", any) },
    SystemQuery: { Ids: array(string), Names: array(string), Types: array(ENUMS.SystemType), Owners: array(string) },
    PauseOptions: { SuspensionLevel: ENUMS.PauseSuspensionLevel, HostedNotification: struct("PauseNotification") },
    PauseNotification: { Reason: ENUMS.PauseReason },
    ShutdownOptions: { Mechanism: ENUMS.ShutdownMechanism, Type: ENUMS.ShutdownType, Force: bool, Reason: string },
};

/** The newest schema minor version (major 2) each Windows build supports (SchemaReference.md's version map). */
export function maxSchemaMinor(build: number): number | undefined {
    if (build >= 22000) return 6;
    if (build >= 20348) return 5;
    if (build >= 19041) return 3;
    if (build >= 18362) return 2;
    if (build >= 17763) return 1;
    return undefined;
}
