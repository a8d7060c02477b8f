import type { GoField, GoStruct, GoType } from "./go-json";
import type * as S from "./schema";

/**
 * The Go layout of each schema2 type we send: JSON names in hcsshim v0.12.9's struct declaration
 * order (reference §5.4), which is the key order `encoding/json` writes. Field names are checked
 * against the TypeScript types in `schema.ts`; the unit tests marshal a fully populated value of every
 * type, so a property missing here fails there.
 */

const STRING: GoType = { kind: "string" };
const BOOL: GoType = { kind: "bool" };
const INT32: GoType = { kind: "int", name: "int32" };
const UINT32: GoType = { kind: "int", name: "uint32" };
const INT64: GoType = { kind: "int", name: "int64" };
const UINT64: GoType = { kind: "int", name: "uint64" };

/** A struct layout whose JSON names must be properties of `T`. */
function struct<T>(name: string, fields: readonly { readonly json: keyof T & string; readonly type: GoType }[]): GoStruct {
    return { kind: "struct", name, fields: fields as readonly GoField[] };
}
const ptr = (to: GoStruct): GoType => ({ kind: "pointer", to });
const mapOf = (value: GoType): GoType => ({ kind: "map", value });
const sliceOf = (element: GoType): GoType => ({ kind: "slice", element });

export const VERSION = struct<S.Version>("Version", [
    { json: "Major", type: INT32 },
    { json: "Minor", type: INT32 },
]);

export const UEFI_BOOT_ENTRY = struct<S.UefiBootEntry>("UefiBootEntry", [
    // DeviceType before DevicePath, although hcsshim's source assigns them the other way round.
    { json: "DeviceType", type: STRING },
    { json: "DevicePath", type: STRING },
    { json: "DiskNumber", type: INT32 },
    { json: "OptionalData", type: STRING },
    { json: "VmbFsRootPath", type: STRING },
]);

export const UEFI = struct<S.Uefi>("Uefi", [
    { json: "EnableDebugger", type: BOOL },
    { json: "ApplySecureBootTemplate", type: STRING },
    { json: "SecureBootTemplateId", type: STRING },
    { json: "BootThis", type: ptr(UEFI_BOOT_ENTRY) },
    { json: "Console", type: STRING },
]);

// Not modelled: LinuxKernelDirect (last; LCOW only).
export const CHIPSET = struct<S.Chipset>("Chipset", [
    { json: "Uefi", type: ptr(UEFI) },
    { json: "IsNumLockDisabled", type: BOOL },
    { json: "BaseBoardSerialNumber", type: STRING },
    { json: "ChassisSerialNumber", type: STRING },
    { json: "ChassisAssetTag", type: STRING },
    { json: "UseUtc", type: BOOL },
]);

export const MEMORY_2 = struct<S.Memory2>("Memory2", [
    { json: "SizeInMB", type: UINT64 },
    { json: "AllowOvercommit", type: BOOL },
    { json: "EnableHotHint", type: BOOL },
    { json: "EnableColdHint", type: BOOL },
    { json: "EnableEpf", type: BOOL },
    { json: "EnableDeferredCommit", type: BOOL },
    { json: "EnableColdDiscardHint", type: BOOL },
    { json: "LowMmioGapInMB", type: UINT64 },
    { json: "HighMmioBaseInMB", type: UINT64 },
    { json: "HighMmioGapInMB", type: UINT64 },
]);

export const CPU_GROUP = struct<S.CpuGroup>("CpuGroup", [{ json: "Id", type: STRING }]);

export const PROCESSOR_2 = struct<S.Processor2>("Processor2", [
    { json: "Count", type: INT32 },
    { json: "Limit", type: INT32 },
    { json: "Weight", type: INT32 },
    { json: "ExposeVirtualizationExtensions", type: BOOL },
    { json: "CpuGroup", type: ptr(CPU_GROUP) },
]);

export const TOPOLOGY = struct<S.Topology>("Topology", [
    { json: "Memory", type: ptr(MEMORY_2) },
    { json: "Processor", type: ptr(PROCESSOR_2) },
]);

export const ATTACHMENT = struct<S.Attachment>("Attachment", [
    { json: "Type", type: STRING },
    { json: "Path", type: STRING },
    { json: "IgnoreFlushes", type: BOOL },
    { json: "CachingMode", type: STRING },
    { json: "NoWriteHardening", type: BOOL },
    { json: "DisableExpansionOptimization", type: BOOL },
    { json: "IgnoreRelativeLocator", type: BOOL },
    { json: "CaptureIoAttributionContext", type: BOOL },
    { json: "ReadOnly", type: BOOL },
    { json: "SupportCompressedVolumes", type: BOOL },
    { json: "AlwaysAllowSparseFiles", type: BOOL },
    { json: "ExtensibleVirtualDiskType", type: STRING },
]);

export const SCSI = struct<S.Scsi>("Scsi", [{ json: "Attachments", type: mapOf(ATTACHMENT) }]);

export const HVSOCKET_SERVICE_CONFIG = struct<S.HvSocketServiceConfig>("HvSocketServiceConfig", [
    { json: "BindSecurityDescriptor", type: STRING },
    { json: "ConnectSecurityDescriptor", type: STRING },
    { json: "AllowWildcardBinds", type: BOOL },
    { json: "Disabled", type: BOOL },
]);

export const HVSOCKET_SYSTEM_CONFIG = struct<S.HvSocketSystemConfig>("HvSocketSystemConfig", [
    { json: "DefaultBindSecurityDescriptor", type: STRING },
    { json: "DefaultConnectSecurityDescriptor", type: STRING },
    { json: "ServiceTable", type: mapOf(HVSOCKET_SERVICE_CONFIG) },
]);

export const HVSOCKET_2 = struct<S.HvSocket2>("HvSocket2", [{ json: "HvSocketConfig", type: ptr(HVSOCKET_SYSTEM_CONFIG) }]);

export const VIRTUAL_SMB_SHARE_OPTIONS = struct<S.VirtualSmbShareOptions>("VirtualSmbShareOptions", [
    { json: "ReadOnly", type: BOOL },
    { json: "ShareRead", type: BOOL },
    { json: "CacheIo", type: BOOL },
    { json: "NoOplocks", type: BOOL },
    { json: "TakeBackupPrivilege", type: BOOL },
    { json: "UseShareRootIdentity", type: BOOL },
    { json: "NoDirectmap", type: BOOL },
    { json: "NoLocks", type: BOOL },
    { json: "NoDirnotify", type: BOOL },
    { json: "VmSharedMemory", type: BOOL },
    { json: "RestrictFileAccess", type: BOOL },
    { json: "ForceLevelIIOplocks", type: BOOL },
    { json: "ReparseBaseLayer", type: BOOL },
    { json: "PseudoOplocks", type: BOOL },
    { json: "NonCacheIo", type: BOOL },
    { json: "PseudoDirnotify", type: BOOL },
    { json: "SingleFileMapping", type: BOOL },
]);

export const VIRTUAL_SMB_SHARE = struct<S.VirtualSmbShare>("VirtualSmbShare", [
    { json: "Name", type: STRING },
    { json: "Path", type: STRING },
    { json: "AllowedFiles", type: sliceOf(STRING) },
    { json: "Options", type: ptr(VIRTUAL_SMB_SHARE_OPTIONS) },
]);

export const VIRTUAL_SMB = struct<S.VirtualSmb>("VirtualSmb", [
    // Shares before DirectFileMappingInMB, as declared.
    { json: "Shares", type: sliceOf(VIRTUAL_SMB_SHARE) },
    { json: "DirectFileMappingInMB", type: INT64 },
]);

// Not modelled (never set for WCOW in v0.12.9): ComPorts (before Scsi), VirtualPMem,
// NetworkAdapters, VideoMonitor, Keyboard, Mouse (between Scsi and HvSocket), EnhancedModeVideo,
// GuestCrashReporting (between HvSocket and VirtualSmb), Plan9, Battery, FlexibleIov, SharedMemory,
// VirtualPci (after VirtualSmb).
export const DEVICES = struct<S.Devices>("Devices", [
    { json: "Scsi", type: mapOf(SCSI) },
    { json: "HvSocket", type: ptr(HVSOCKET_2) },
    { json: "VirtualSmb", type: ptr(VIRTUAL_SMB) },
]);

export const REGISTRY_KEY = struct<S.RegistryKey>("RegistryKey", [
    { json: "Hive", type: STRING },
    { json: "Name", type: STRING },
    { json: "Volatile", type: BOOL },
]);

export const REGISTRY_VALUE = struct<S.RegistryValue>("RegistryValue", [
    { json: "Key", type: ptr(REGISTRY_KEY) },
    { json: "Name", type: STRING },
    { json: "Type", type: STRING },
    { json: "StringValue", type: STRING },
    { json: "BinaryValue", type: STRING },
    { json: "DWordValue", type: INT32 },
    { json: "QWordValue", type: INT32 },
    { json: "CustomType", type: INT32 },
]);

export const REGISTRY_CHANGES = struct<S.RegistryChanges>("RegistryChanges", [
    { json: "AddValues", type: sliceOf(REGISTRY_VALUE) },
    { json: "DeleteKeys", type: sliceOf(REGISTRY_KEY) },
]);

export const STORAGE_QOS = struct<S.StorageQoS>("StorageQoS", [
    { json: "IopsMaximum", type: INT32 },
    { json: "BandwidthMaximum", type: INT32 },
]);

export const DEBUG_OPTIONS = struct<S.DebugOptions>("DebugOptions", [
    { json: "BugcheckSavedStateFileName", type: STRING },
    { json: "BugcheckNoCrashdumpSavedStateFileName", type: STRING },
    { json: "TripleFaultSavedStateFileName", type: STRING },
    { json: "FirmwareDumpFileName", type: STRING },
]);

// Not modelled: GuestState, RestoreState (between Devices and RegistryChanges), GuestConnection,
// SecuritySettings (between StorageQoS and DebugOptions).
export const VIRTUAL_MACHINE = struct<S.VirtualMachine>("VirtualMachine", [
    { json: "StopOnReset", type: BOOL },
    { json: "Chipset", type: ptr(CHIPSET) },
    { json: "ComputeTopology", type: ptr(TOPOLOGY) },
    { json: "Devices", type: ptr(DEVICES) },
    { json: "RegistryChanges", type: ptr(REGISTRY_CHANGES) },
    { json: "StorageQoS", type: ptr(STORAGE_QOS) },
    { json: "DebugOptions", type: ptr(DEBUG_OPTIONS) },
]);

// Not modelled: HostedSystem, Container (between HostingSystemId and VirtualMachine).
export const COMPUTE_SYSTEM = struct<S.ComputeSystem>("ComputeSystem", [
    { json: "Owner", type: STRING },
    { json: "SchemaVersion", type: ptr(VERSION) },
    { json: "HostingSystemId", type: STRING },
    { json: "VirtualMachine", type: ptr(VIRTUAL_MACHINE) },
    { json: "ShouldTerminateOnLastHandleClosed", type: BOOL },
]);

export const PROCESSOR_LIMITS = struct<S.ProcessorLimits>("ProcessorLimits", [
    { json: "Limit", type: UINT64 },
    { json: "Weight", type: UINT64 },
    { json: "Reservation", type: UINT64 },
    { json: "MaximumFrequencyMHz", type: UINT32 },
]);

/** `Settings` types of the modify requests we send. */
export const PROCESSOR_LIMITS_SETTINGS: GoType = ptr(PROCESSOR_LIMITS);
export const CPU_GROUP_SETTINGS: GoType = ptr(CPU_GROUP);
export const MEMORY_SIZE_SETTINGS: GoType = UINT64;

/**
 * `ModifySettingRequest` whose `Settings` interface holds a value of `settings` type. `GuestRequest`
 * (after `Settings`) is not modelled: WCOW host-side modifies never carry one.
 */
export function modifySettingRequest(settings: GoType): GoStruct {
    return struct<S.ModifySettingRequest>("ModifySettingRequest", [
        { json: "ResourcePath", type: STRING },
        { json: "RequestType", type: STRING },
        { json: "Settings", type: { kind: "interface", holds: settings } },
    ]);
}
