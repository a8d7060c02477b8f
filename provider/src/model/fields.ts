import type { TimeoutsArgs, WcowUtilityVmArgs } from "./args";

/**
 * The WcowUtilityVm inputs as data: one row per input, in DESIGN §4 order, plus `timeouts`. Validation
 * is driven by it, and the diff engine, schema.json and the SDK are checked against it, so a new input
 * is added here first.
 */

/** A timeout the `timeouts` input can set. */
export type TimeoutName = keyof TimeoutsArgs;

/** The timeout names, in the order they are documented. */
export const TIMEOUT_NAMES: readonly TimeoutName[] = ["create", "update", "delete"];

/** The shape and format of an input's value. */
export type ValueKind =
    /**
     * A string of at most `maxLength` UTF-16 code units, when given. `format` adds rules: `text` (no
     * NUL), `computeSystemId` (a name Windows keeps as written: no control characters, path separators
     * or `< > : " | ? *`, no reserved device name, no leading or trailing space, no trailing dot),
     * `hostTarget` (`local` or `sim:<socket path>`).
     */
    | { readonly kind: "string"; readonly format: "text" | "computeSystemId" | "hostTarget"; readonly maxLength?: number }
    | { readonly kind: "boolean" }
    /**
     * A whole number from `min` to `max`. `goType` is hcsshim's type for the option; `max` is lower
     * than the Go type allows where JavaScript cannot count exactly (uint64) or the rule is tighter.
     */
    | {
          readonly kind: "integer";
          readonly goType: "int32" | "uint32" | "uint64";
          readonly min: number;
          readonly max: number;
          /** What the bounds mean, appended to range messages. */
          readonly note?: string;
      }
    /** A GUID string; braces and upper case are accepted and kept as written (hcsshim sends it verbatim). */
    | { readonly kind: "guid" }
    /** An absolute Windows drive path on the target host, normalized (see `windows-path.ts`). */
    | { readonly kind: "windowsPath" }
    /** A list of absolute Windows drive paths, each normalized, no two naming the same folder. */
    | { readonly kind: "windowsPathArray"; readonly minItems: number }
    /** An object whose keys are among `keys`, each a positive Go-syntax duration string. */
    | { readonly kind: "durationMap"; readonly keys: readonly TimeoutName[] };

/** A value an input takes when it is not given. */
export type FieldDefault =
    /** No default: the input is required, or absent means "not set". */
    | { readonly kind: "none" }
    | { readonly kind: "value"; readonly value: string | number | boolean }
    /** Computed at check or create time; `description` is the user-facing wording. */
    | {
          readonly kind: "dynamic";
          readonly rule: "newGuid" | "hostFromEnvironment" | "processorsForHost" | "overcommitUnlessPhysicallyBacked";
          readonly description: string;
      };

/**
 * What a change of the input does to an existing VM (DESIGN §3.5):
 * - `replace`: a new VM;
 * - `inPlace`: applied to the running VM with HcsModifyComputeSystem;
 * - `providerSide`: in place, kept by the provider only; nothing is sent to HCS;
 * - `memory`: in place when `allowOvercommit` is true (HCS resizes VA-backed memory), else replace;
 * - `start`: false → true starts the VM in place, true → false replaces it;
 * - `computeSystemId`: replace, deleting the old VM first when the user set the ID (two VMs cannot
 *   share an ID);
 * - `createOnly`: read only when the VM is created; a later change is not a change at all.
 */
export type ChangeKind = "replace" | "inPlace" | "providerSide" | "memory" | "start" | "computeSystemId" | "createOnly";

/** The name of an input. */
export type FieldName = keyof WcowUtilityVmArgs;

/** One input of WcowUtilityVm. */
export interface FieldSpec {
    readonly name: FieldName;
    readonly type: ValueKind;
    readonly required: boolean;
    readonly default: FieldDefault;
    readonly change: ChangeKind;
    /** The hcsshim (or HCS document) option the input maps to; undefined for our own inputs. */
    readonly hcsshim: string | undefined;
    /** User-facing documentation: what the input does, in one or two sentences. */
    readonly description: string;
}

const NONE: FieldDefault = { kind: "none" };
const INT32_MAX = 2_147_483_647;
const MB = (max: number, note: string, min = 0): ValueKind => ({ kind: "integer", goType: "uint64", min, max, note });

/**
 * The longest `computeSystemId`: 255, the longest name NTFS and Win32 allow for one path component.
 * HCS and the tools around it use the ID as a name (HcsGrantVmAccess grants file access by it,
 * `hcsdiag` and `pulumi-hcs ps` list it), so it follows the rules of a Windows name.
 */
export const MAX_COMPUTE_SYSTEM_ID_LENGTH = 255;

/**
 * The longest `owner`: 255 characters. The owner is a label (hcsshim records its executable's file
 * name, at most 255 characters) that HCS keeps with every VM and `hcsdiag list` prints in a column;
 * anything longer is data in the wrong place, and a megabyte of it would be copied into every
 * property query and into Pulumi state.
 */
export const MAX_OWNER_LENGTH = 255;

/**
 * The largest `memorySizeInMB`: 240 TB (251658240 MB), the most memory Hyper-V gives one VM (Windows
 * Server 2022's "Plan for Hyper-V scalability": 240 TB for generation 2 VMs; utility VMs are
 * generation 2 style UEFI VMs). A larger number is a unit mix-up (bytes or KB for MB) that HCS would
 * refuse only at create.
 */
export const MAX_MEMORY_SIZE_IN_MB = 240 * 1024 * 1024;

/**
 * The largest `lowMMIOGapInMB`: 4095. The HCS schema places the low MMIO region "below 4GB" (32-bit
 * guest physical addresses), so the gap is smaller than 4096 MB.
 */
export const MAX_LOW_MMIO_GAP_IN_MB = 4095;

/**
 * The end of the guest physical address space in MB: 2^32 MB = 2^52 bytes, the most an x86-64
 * processor can address (52-bit physical addresses). The high MMIO region (HCS: "allocated above
 * 4GB (base and size)") lies inside it, so `highMMIOBaseInMB` and `highMMIOGapInMB` are each below
 * it, and so is their sum.
 */
export const PHYSICAL_ADDRESS_LIMIT_IN_MB = 2 ** 32;

/** Every input, in DESIGN §4 order, then `timeouts`. */
export const FIELDS = [
    {
        name: "layerFolders",
        type: { kind: "windowsPathArray", minItems: 2 },
        required: true,
        default: NONE,
        change: "replace",
        hcsshim: "OptionsWCOW.LayerFolders",
        description:
            "Read-only layer folders from the top-most down to the base layer, then the scratch folder last (hcsshim LayerFolders). " +
            "The first folder holding UtilityVM boots the VM and the scratch folder receives sandbox.vhdx.",
    },
    {
        name: "computeSystemId",
        type: { kind: "string", format: "computeSystemId", maxLength: MAX_COMPUTE_SYSTEM_ID_LENGTH },
        required: false,
        default: { kind: "dynamic", rule: "newGuid", description: "a GUID derived from the stack, the resource and the inputs that replace it (the same for a retried create, new for a replacement)" },
        change: "computeSystemId",
        hcsshim: "Options.ID",
        description:
            "The compute system's HCS ID (hcsshim ID), usually a GUID: up to 255 characters, usable as a Windows file name " +
            '(no control characters, \\ / < > : " | ? *, reserved device names like CON or NUL, leading or trailing spaces, or trailing dots).',
    },
    {
        name: "owner",
        type: { kind: "string", format: "text", maxLength: MAX_OWNER_LENGTH },
        required: false,
        default: { kind: "value", value: "pulumi-hcs" },
        change: "replace",
        hcsshim: "Options.Owner",
        description: "The owner recorded on the compute system (hcsshim Owner), as shown by hcsdiag list; up to 255 characters.",
    },
    {
        name: "host",
        type: { kind: "string", format: "hostTarget" },
        required: false,
        default: {
            kind: "dynamic",
            rule: "hostFromEnvironment",
            description: "the PULUMI_HCS_HOST environment variable, else local on Windows",
        },
        change: "replace",
        hcsshim: undefined,
        description:
            "The host the VM runs on: local (this Windows machine through computecore.dll), or a simulated host: sim:<absolute socket path>, " +
            "or sim:tcp:127.0.0.1:<port> with its secret in PULUMI_HCS_SIM_SECRET, or a host agent: grpcs://<name>:<port> (client credentials " +
            "from PULUMI_HCS_AGENT_CERT_PATH or PULUMI_HCS_AGENT_CA/_CERT/_KEY, never inputs). Omit it for the default; null is refused.",
    },
    {
        name: "memorySizeInMB",
        // 0 is refused: hcsshim sends no SizeInMB for it (omitempty) and HCS refuses a VM without one.
        type: MB(MAX_MEMORY_SIZE_IN_MB, "251658240 MB is 240 TB, Hyper-V's maximum per VM; 0 is not a size: HCS refuses a VM without one", 1),
        required: false,
        default: { kind: "value", value: 1024 },
        change: "memory",
        hcsshim: "Options.MemorySizeInMB",
        description:
            "Memory in MB (hcsshim MemorySizeInMB), from 1 to 251658240 (240 TB, Hyper-V's maximum per VM), rounded up to an even number. " +
            "0 is refused: HCS needs a size (hcsshim would send none and HCS refuse the VM at create).",
    },
    {
        name: "allowOvercommit",
        type: { kind: "boolean" },
        required: false,
        default: {
            kind: "dynamic",
            rule: "overcommitUnlessPhysicallyBacked",
            description: "true, or false when fullyPhysicallyBacked is true",
        },
        change: "replace",
        hcsshim: "Options.AllowOvercommit",
        description:
            "Back memory with host virtual memory so it can be overcommitted (hcsshim AllowOvercommit); false means physically backed memory.",
    },
    {
        name: "enableDeferredCommit",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "Options.EnableDeferredCommit",
        description: "Commit memory only when the guest touches it (hcsshim EnableDeferredCommit); needs allowOvercommit.",
    },
    {
        name: "fullyPhysicallyBacked",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "Options.FullyPhysicallyBacked",
        description:
            "Back memory and devices physically (hcsshim FullyPhysicallyBacked); turns off VSMB direct mapping and makes allowOvercommit default to false.",
    },
    {
        name: "lowMMIOGapInMB",
        type: MB(MAX_LOW_MMIO_GAP_IN_MB, "the gap lies below 4 GB; 0 leaves the platform default"),
        required: false,
        default: { kind: "value", value: 0 },
        change: "replace",
        hcsshim: "Options.LowMMIOGapInMB",
        description: "Size of the low MMIO gap in MB (hcsshim LowMMIOGapInMB), below 4096 because the gap lies below 4 GB; 0 leaves the platform default.",
    },
    {
        name: "highMMIOBaseInMB",
        type: MB(PHYSICAL_ADDRESS_LIMIT_IN_MB - 1, "2^32 MB is x86-64's 52-bit physical address limit; 0 leaves the platform default"),
        required: false,
        default: { kind: "value", value: 0 },
        change: "replace",
        hcsshim: "Options.HighMMIOBaseInMB",
        description:
            "Base of the high MMIO region in MB (hcsshim HighMMIOBaseInMB); base plus gap stay within 4294967296 (2^32 MB, x86-64's physical address limit); " +
            "0 leaves the platform default.",
    },
    {
        name: "highMMIOGapInMB",
        type: MB(PHYSICAL_ADDRESS_LIMIT_IN_MB - 1, "2^32 MB is x86-64's 52-bit physical address limit; 0 leaves the platform default"),
        required: false,
        default: { kind: "value", value: 0 },
        change: "replace",
        hcsshim: "Options.HighMMIOGapInMB",
        description:
            "Size of the high MMIO gap in MB (hcsshim HighMMIOGapInMB); base plus gap stay within 4294967296 (2^32 MB, x86-64's physical address limit); " +
            "0 leaves the platform default.",
    },
    {
        name: "processorCount",
        type: { kind: "integer", goType: "int32", min: 1, max: INT32_MAX },
        required: false,
        default: {
            kind: "dynamic",
            rule: "processorsForHost",
            description: "2, or 1 when the process creating the VM may use only one CPU, clamped to host",
        },
        change: "replace",
        hcsshim: "Options.ProcessorCount",
        description:
            "Virtual processors (hcsshim ProcessorCount); a count above the host's logical processors is lowered to that count.",
    },
    {
        name: "processorLimit",
        type: {
            kind: "integer",
            goType: "int32",
            min: 0,
            max: 100_000,
            note: "100000 is 100% of the VM's processors; 0 leaves the platform default",
        },
        required: false,
        default: { kind: "value", value: 0 },
        change: "inPlace",
        hcsshim: "Options.ProcessorLimit",
        description: "Processor cap from 0 to 100000, where 100000 is 100% (hcsshim ProcessorLimit); 0 leaves the platform default.",
    },
    {
        name: "processorWeight",
        type: {
            kind: "integer",
            goType: "int32",
            min: 0,
            max: 10_000,
            note: "0 leaves the platform default of 100",
        },
        required: false,
        default: { kind: "value", value: 0 },
        change: "inPlace",
        hcsshim: "Options.ProcessorWeight",
        description: "Relative processor weight from 0 to 10000 (hcsshim ProcessorWeight); 0 leaves the platform default (100).",
    },
    {
        name: "storageQoSIopsMaximum",
        type: { kind: "integer", goType: "int32", min: 0, max: INT32_MAX, note: "0 means no cap" },
        required: false,
        default: { kind: "value", value: 0 },
        change: "replace",
        hcsshim: "Options.StorageQoSIopsMaximum",
        description: "Storage I/O operations per second cap (hcsshim StorageQoSIopsMaximum); 0 means no cap.",
    },
    {
        name: "storageQoSBandwidthMaximum",
        type: { kind: "integer", goType: "int32", min: 0, max: INT32_MAX, note: "bytes per second; 0 means no cap" },
        required: false,
        default: { kind: "value", value: 0 },
        change: "replace",
        hcsshim: "Options.StorageQoSBandwidthMaximum",
        description: "Storage bandwidth cap in bytes per second (hcsshim StorageQoSBandwidthMaximum); 0 means no cap.",
    },
    {
        name: "cpuGroupId",
        type: { kind: "guid" },
        required: false,
        default: NONE,
        change: "inPlace",
        hcsshim: "Options.CPUGroupID",
        description: "The host CPU group the VM runs in, as a GUID (hcsshim CPUGroupID); needs Windows build 19043 or later.",
    },
    {
        name: "disableCompartmentNamespace",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "Options.DisableCompartmentNamespace",
        description:
            "Leave the guest's compartment namespace off (hcsshim DisableCompartmentNamespace); by default gns\\EnableCompartmentNamespace=1 is set.",
    },
    {
        name: "processDumpLocation",
        type: { kind: "windowsPath" },
        required: false,
        default: NONE,
        change: "replace",
        hcsshim: "Options.ProcessDumpLocation",
        description:
            "Folder inside the utility VM for process crash dumps (hcsshim ProcessDumpLocation); setting it makes Windows Error Reporting keep local dumps.",
    },
    {
        name: "dumpDirectoryPath",
        type: { kind: "windowsPath" },
        required: false,
        default: NONE,
        change: "replace",
        hcsshim: "Options.DumpDirectoryPath",
        description:
            "Existing host folder for the VM's bugcheck saved-state files (hcsshim DumpDirectoryPath).",
    },
    {
        name: "scsiControllerCount",
        type: { kind: "integer", goType: "uint32", min: 1, max: 1, note: "WCOW requires exactly 1" },
        required: false,
        default: { kind: "value", value: 1 },
        change: "replace",
        hcsshim: "Options.SCSIControllerCount",
        description: "Number of SCSI controllers (hcsshim SCSIControllerCount); WCOW requires exactly 1.",
    },
    {
        name: "noDirectMap",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "OptionsWCOW.NoDirectMap",
        description: "Turn off direct mapping for the VM's VSMB shares (hcsshim NoDirectMap).",
    },
    {
        name: "noInheritHostTimezone",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "OptionsWCOW.NoInheritHostTimezone",
        description: "Give the guest UTC instead of the host's time zone (hcsshim NoInheritHostTimezone).",
    },
    {
        name: "noWritableFileShares",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "providerSide",
        hcsshim: "Options.NoWritableFileShares",
        description: "Refuse writable file shares added to the VM later (hcsshim NoWritableFileShares).",
    },
    {
        name: "networkConfigProxy",
        type: { kind: "string", format: "text" },
        required: false,
        default: NONE,
        change: "providerSide",
        hcsshim: "Options.NetworkConfigProxy",
        description: "Address of the network configuration proxy (ncproxy) for the VM (hcsshim NetworkConfigProxy); not sent to HCS.",
    },
    {
        name: "terminateOnLastHandleClosed",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "replace",
        hcsshim: "ComputeSystem.ShouldTerminateOnLastHandleClosed",
        description:
            "Let HCS terminate the VM when the last handle to it closes (ShouldTerminateOnLastHandleClosed, always true in hcsshim); " +
            "off by default because the provider exits after each operation while the VM keeps running.",
    },
    {
        name: "start",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: true },
        change: "start",
        hcsshim: undefined,
        description: "Start the VM after creating it; turning it on later starts the VM in place, turning it off replaces it.",
    },
    {
        name: "adoptExisting",
        type: { kind: "boolean" },
        required: false,
        default: { kind: "value", value: false },
        change: "createOnly",
        hcsshim: undefined,
        description:
            "When a compute system with computeSystemId already exists, take it over instead of failing (what the import resource option does); " +
            "its files are left alone on delete.",
    },
    {
        name: "timeouts",
        type: { kind: "durationMap", keys: TIMEOUT_NAMES },
        required: false,
        default: NONE,
        change: "providerSide",
        hcsshim: undefined,
        description:
            'Limits for the provider\'s create, update and delete waits, as durations like "90s", "5m" or "1h30m" (as Pulumi customTimeouts).',
    },
] as const satisfies readonly FieldSpec[];

// Compile-time proof that the table has exactly the inputs of WcowUtilityVmArgs: a missing or extra
// name makes one of these `true` types fail to be assigned.
type TableNames = (typeof FIELDS)[number]["name"];
const _everyInputListed: [Exclude<FieldName, TableNames>] extends [never] ? true : never = true;
const _noExtraInput: [Exclude<TableNames, FieldName>] extends [never] ? true : never = true;
void _everyInputListed;
void _noExtraInput;

/** The input names, in table order. */
export const FIELD_NAMES: readonly FieldName[] = FIELDS.map((f) => f.name);

const BY_NAME: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((f) => [f.name, f as FieldSpec]));

/** The row for an input name, or undefined for a name WcowUtilityVm does not have. */
export function fieldByName(name: string): FieldSpec | undefined {
    return BY_NAME.get(name);
}
