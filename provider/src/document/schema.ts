/**
 * The HCS schema2 types we send, as hcsshim v0.12.9 declares them in `internal/hcs/schema2/*.go`.
 * Property names are the JSON names (reference §5.4), so `Memory2.LowMmioGapInMB`, not hcsshim's Go
 * field `LowMMIOGapInMB`. Every Go field carries `omitempty`, so every property is optional; a struct
 * pointer that is present is written even when empty (`"RegistryChanges":{}`).
 *
 * Fields hcsshim never sets for a WCOW utility VM in v0.12.9 and whose types we do not model
 * (`HostedSystem`, `Container`, `GuestState`, `ComPorts`, `NetworkAdapters`, `Plan9`, …) are left
 * out; the marshaller refuses properties it does not know, so they cannot be sent by accident.
 * The key order lives in `schema-layout.ts`.
 */

/** Go `int32`, `uint32`, `int64` or `uint64`; always an integer. */
export type GoInteger = number;

export interface ComputeSystem {
    Owner?: string;
    SchemaVersion?: Version;
    HostingSystemId?: string;
    VirtualMachine?: VirtualMachine;
    ShouldTerminateOnLastHandleClosed?: boolean;
}

export interface Version {
    Major?: GoInteger;
    Minor?: GoInteger;
}

export interface VirtualMachine {
    StopOnReset?: boolean;
    Chipset?: Chipset;
    ComputeTopology?: Topology;
    Devices?: Devices;
    RegistryChanges?: RegistryChanges;
    StorageQoS?: StorageQoS;
    DebugOptions?: DebugOptions;
}

export interface Chipset {
    Uefi?: Uefi;
    IsNumLockDisabled?: boolean;
    BaseBoardSerialNumber?: string;
    ChassisSerialNumber?: string;
    ChassisAssetTag?: string;
    UseUtc?: boolean;
}

export interface Uefi {
    EnableDebugger?: boolean;
    ApplySecureBootTemplate?: string;
    SecureBootTemplateId?: string;
    BootThis?: UefiBootEntry;
    Console?: string;
}

export interface UefiBootEntry {
    /** `ScsiDrive`, `VmbFs`, `Network` or `File`. */
    DeviceType?: string;
    DevicePath?: string;
    DiskNumber?: GoInteger;
    OptionalData?: string;
    VmbFsRootPath?: string;
}

export interface Topology {
    Memory?: Memory2;
    Processor?: Processor2;
}

export interface Memory2 {
    /** uint64. */
    SizeInMB?: GoInteger;
    AllowOvercommit?: boolean;
    EnableHotHint?: boolean;
    EnableColdHint?: boolean;
    EnableEpf?: boolean;
    EnableDeferredCommit?: boolean;
    EnableColdDiscardHint?: boolean;
    LowMmioGapInMB?: GoInteger;
    HighMmioBaseInMB?: GoInteger;
    HighMmioGapInMB?: GoInteger;
}

export interface Processor2 {
    /** int32. */
    Count?: GoInteger;
    Limit?: GoInteger;
    Weight?: GoInteger;
    ExposeVirtualizationExtensions?: boolean;
    CpuGroup?: CpuGroup;
}

/** Also the `Settings` of a CPU group modify request. */
export interface CpuGroup {
    Id?: string;
}

export interface Devices {
    /** Controller GUID → controller. */
    Scsi?: Record<string, Scsi>;
    HvSocket?: HvSocket2;
    VirtualSmb?: VirtualSmb;
}

export interface Scsi {
    /** LUN as a decimal string → attachment. */
    Attachments?: Record<string, Attachment>;
}

export interface Attachment {
    /** `VirtualDisk`, `PassThru`, `ExtensibleVirtualDisk` (JSON `Type`, Go field `Type_`). */
    Type?: string;
    Path?: string;
    IgnoreFlushes?: boolean;
    CachingMode?: string;
    NoWriteHardening?: boolean;
    DisableExpansionOptimization?: boolean;
    IgnoreRelativeLocator?: boolean;
    CaptureIoAttributionContext?: boolean;
    ReadOnly?: boolean;
    SupportCompressedVolumes?: boolean;
    AlwaysAllowSparseFiles?: boolean;
    ExtensibleVirtualDiskType?: string;
}

export interface HvSocket2 {
    HvSocketConfig?: HvSocketSystemConfig;
}

export interface HvSocketSystemConfig {
    DefaultBindSecurityDescriptor?: string;
    DefaultConnectSecurityDescriptor?: string;
    /** Service GUID → configuration. */
    ServiceTable?: Record<string, HvSocketServiceConfig>;
}

export interface HvSocketServiceConfig {
    BindSecurityDescriptor?: string;
    ConnectSecurityDescriptor?: string;
    AllowWildcardBinds?: boolean;
    Disabled?: boolean;
}

export interface VirtualSmb {
    Shares?: VirtualSmbShare[];
    /** int64. */
    DirectFileMappingInMB?: GoInteger;
}

export interface VirtualSmbShare {
    Name?: string;
    Path?: string;
    AllowedFiles?: string[];
    Options?: VirtualSmbShareOptions;
}

export interface VirtualSmbShareOptions {
    ReadOnly?: boolean;
    ShareRead?: boolean;
    CacheIo?: boolean;
    NoOplocks?: boolean;
    TakeBackupPrivilege?: boolean;
    UseShareRootIdentity?: boolean;
    /** Lower-case `m`, as in hcsshim's JSON tag. */
    NoDirectmap?: boolean;
    NoLocks?: boolean;
    NoDirnotify?: boolean;
    VmSharedMemory?: boolean;
    RestrictFileAccess?: boolean;
    ForceLevelIIOplocks?: boolean;
    ReparseBaseLayer?: boolean;
    PseudoOplocks?: boolean;
    NonCacheIo?: boolean;
    PseudoDirnotify?: boolean;
    SingleFileMapping?: boolean;
}

export interface RegistryChanges {
    AddValues?: RegistryValue[];
    DeleteKeys?: RegistryKey[];
}

/** `System`, `Software`, `Security` or `Sam`. */
export type RegistryHive = "System" | "Software" | "Security" | "Sam";

export interface RegistryKey {
    Hive?: RegistryHive;
    Name?: string;
    Volatile?: boolean;
}

export type RegistryValueType =
    | "None"
    | "String"
    | "ExpandedString"
    | "MultiString"
    | "Binary"
    | "DWord"
    | "QWord"
    | "CustomType";

export interface RegistryValue {
    Key?: RegistryKey;
    Name?: string;
    /** JSON `Type`, Go field `Type_`. */
    Type?: RegistryValueType;
    StringValue?: string;
    BinaryValue?: string;
    /** int32. */
    DWordValue?: GoInteger;
    /** int32 in hcsshim, despite the name. */
    QWordValue?: GoInteger;
    CustomType?: GoInteger;
}

export interface StorageQoS {
    /** int32. */
    IopsMaximum?: GoInteger;
    /** int32, bytes per second. */
    BandwidthMaximum?: GoInteger;
}

export interface DebugOptions {
    BugcheckSavedStateFileName?: string;
    BugcheckNoCrashdumpSavedStateFileName?: string;
    TripleFaultSavedStateFileName?: string;
    FirmwareDumpFileName?: string;
}

// Modify requests (HcsModifyComputeSystem), reference §5.4 and §8.

/** `Add`, `Remove`, `Update` (and `PreAdd` for networking). hcsshim omits it for CPU and memory updates. */
export type ModifyRequestType = "Add" | "Remove" | "Update" | "PreAdd";

/**
 * The body of `HcsModifyComputeSystem`. `Settings` is a Go `interface{}`: its JSON is that of whatever
 * value it holds, so the marshaller is told its type (see `marshal.ts`). hcsshim's `GuestRequest` is
 * left out: host-side WCOW modifies never carry one.
 */
export interface ModifySettingRequest<S = unknown> {
    ResourcePath?: string;
    RequestType?: ModifyRequestType;
    Settings?: S;
}

/** `Settings` of a CPU limits update (`VirtualMachine/ComputeTopology/Processor/Limits`). */
export interface ProcessorLimits {
    /** uint64. */
    Limit?: GoInteger;
    /** uint64. */
    Weight?: GoInteger;
    /** uint64. */
    Reservation?: GoInteger;
    /** uint32. */
    MaximumFrequencyMHz?: GoInteger;
}

/** `Settings` of a memory update (`VirtualMachine/ComputeTopology/Memory/SizeInMB`): the new size in MB (uint64). */
export type MemorySizeSettings = GoInteger;

/** `Settings` of a CPU group update (`VirtualMachine/ComputeTopology/Processor/CpuGroup`). */
export type CpuGroupSettings = CpuGroup;
