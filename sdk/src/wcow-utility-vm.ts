import * as pulumi from "@pulumi/pulumi";
import { declaredProblems } from "./declared-problems";
import { loadInputModel } from "./input-model";
import { REPORTED_PROBLEMS_KEY, reportProblems } from "./report-problems";
import { screenArgs } from "./screen-args";
import { DYNAMIC_TYPE, PROVIDER_KEY, REPLACE_ON_CHANGES_KEY, RESOURCE_KEY, SERIALIZED_PROVIDER, UNSENT_KEYS_KEY } from "./serialized-provider";

/**
 * Limits for the provider's own waits, as durations in Go syntax like Pulumi's `customTimeouts`
 * (`"90s"`, `"5m"`, `"1h30m"`). Pulumi does not hand a dynamic provider the resource's
 * `customTimeouts`, so `WcowUtilityVm` copies them here when this input is not set.
 */
export interface WcowUtilityVmTimeouts {
    /** The longest a create (HCS create, and start when `start` is true) may take. @default 4 minutes per HCS call */
    create?: pulumi.Input<string>;
    /** The longest an in-place update (modify, start) may take. @default 4 minutes per HCS call */
    update?: pulumi.Input<string>;
    /** The longest a delete (graceful shutdown, terminate, cleanup) may take. @default 4 minutes per HCS call */
    delete?: pulumi.Input<string>;
}

/**
 * The inputs of a {@link WcowUtilityVm}: hcsshim's `OptionsWCOW` names with a lower-case first letter.
 * "Change: replace" means a new value creates a new VM; "in place" applies it to the running VM.
 */
export interface WcowUtilityVmArgs {
    /**
     * Read-only layer folders from the top-most down to the base layer, then the scratch folder last
     * (hcsshim `LayerFolders`). The first folder holding `UtilityVM` boots the VM; the scratch folder
     * receives `sandbox.vhdx`. At least two absolute Windows paths. Change: replace.
     */
    layerFolders: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The compute system's HCS ID (hcsshim `ID`), usually a GUID: up to 255 characters, usable as a
     * Windows file name, because HCS and its tools use it as a name. Refused: control characters,
     * `\ / < > : " | ? *`, reserved device names in any case and with or without an extension (`CON`,
     * `nul.txt`, `COM1`, `LPT9`), `.` and `..`, a leading or trailing space and a trailing dot.
     * Change: replace; when you set it, the old VM is deleted before the new one is created, because
     * two VMs cannot share an ID.
     * @default a GUID derived from the stack, the resource and the inputs that replace it (the same for a retried create, new for a replacement)
     */
    computeSystemId?: pulumi.Input<string>;
    /**
     * The owner recorded on the compute system (hcsshim `Owner`), as `hcsdiag list` shows it; a label
     * of up to 255 characters (hcsshim records its executable's file name). Change: replace.
     * @default "pulumi-hcs"
     */
    owner?: pulumi.Input<string>;
    /**
     * The host the VM runs on: `local` (this Windows machine, through computecore.dll), or a
     * simulated host: `sim:<absolute socket path>`, or `sim:tcp:127.0.0.1:<port>` with its secret in
     * `PULUMI_HCS_SIM_SECRET`, or a host agent: `grpcs://<name>:<port>` (client credentials from
     * `PULUMI_HCS_AGENT_CERT_PATH` or `PULUMI_HCS_AGENT_CA`/`_CERT`/`_KEY`, never inputs). Omit it for the default; `null` is refused, so that an empty lookup in
     * the program does not silently pick the environment's host. Change: replace, unless the new
     * value reaches the same host (the `hostId` output): another address of the VM's host changes nothing.
     * @default the PULUMI_HCS_HOST environment variable, else local on Windows
     */
    host?: pulumi.Input<string>;
    /**
     * Memory in MB (hcsshim `MemorySizeInMB`), from 1 to 251658240 (240 TB, the most Hyper-V gives
     * one VM), rounded up to an even number. 0 is refused: HCS needs a size (hcsshim would send none
     * and HCS refuse the VM at create). Change: in place when `allowOvercommit` is true, else replace.
     * @default 1024
     */
    memorySizeInMB?: pulumi.Input<number>;
    /**
     * Back memory with host virtual memory so it can be overcommitted (hcsshim `AllowOvercommit`);
     * false means physically backed memory. Change: replace.
     * @default true, or false when fullyPhysicallyBacked is true
     */
    allowOvercommit?: pulumi.Input<boolean>;
    /** Commit memory only when the guest touches it (hcsshim `EnableDeferredCommit`); needs `allowOvercommit`. Change: replace. @default false */
    enableDeferredCommit?: pulumi.Input<boolean>;
    /**
     * Back memory and devices physically (hcsshim `FullyPhysicallyBacked`); turns off VSMB direct
     * mapping and makes `allowOvercommit` default to false. Change: replace.
     * @default false
     */
    fullyPhysicallyBacked?: pulumi.Input<boolean>;
    /**
     * Size of the low MMIO gap in MB (hcsshim `LowMMIOGapInMB`); 0 leaves the platform default. At most
     * 4095: the gap lies below 4 GB. Change: replace.
     * @default 0
     */
    lowMMIOGapInMB?: pulumi.Input<number>;
    /**
     * Base of the high MMIO region in MB (hcsshim `HighMMIOBaseInMB`); 0 leaves the platform default.
     * Base plus gap must stay within 4294967296 (2^32 MB = 2^52 bytes, the most an x86-64 processor
     * addresses). Change: replace.
     * @default 0
     */
    highMMIOBaseInMB?: pulumi.Input<number>;
    /**
     * Size of the high MMIO gap in MB (hcsshim `HighMMIOGapInMB`); 0 leaves the platform default. Base
     * plus gap must stay within 4294967296 (2^32 MB). Change: replace.
     * @default 0
     */
    highMMIOGapInMB?: pulumi.Input<number>;
    /**
     * Virtual processors (hcsshim `ProcessorCount`); a count above the host's logical processors is
     * lowered to that count. Change: replace.
     * @default 2, or 1 when the process creating the VM may use only one CPU, clamped to host
     */
    processorCount?: pulumi.Input<number>;
    /** Processor cap from 0 to 100000, where 100000 is 100% (hcsshim `ProcessorLimit`); 0 leaves the platform default. Change: in place. @default 0 */
    processorLimit?: pulumi.Input<number>;
    /** Relative processor weight from 0 to 10000 (hcsshim `ProcessorWeight`); 0 leaves the platform default (100). Change: in place. @default 0 */
    processorWeight?: pulumi.Input<number>;
    /** Storage I/O operations per second cap (hcsshim `StorageQoSIopsMaximum`); 0 means no cap. Change: replace. @default 0 */
    storageQoSIopsMaximum?: pulumi.Input<number>;
    /** Storage bandwidth cap in bytes per second (hcsshim `StorageQoSBandwidthMaximum`); 0 means no cap. Change: replace. @default 0 */
    storageQoSBandwidthMaximum?: pulumi.Input<number>;
    /** The host CPU group the VM runs in, as a GUID (hcsshim `CPUGroupID`); needs Windows build 19043 or later. Change: in place. */
    cpuGroupId?: pulumi.Input<string>;
    /** Leave the guest's compartment namespace off (hcsshim `DisableCompartmentNamespace`). Change: replace. @default false */
    disableCompartmentNamespace?: pulumi.Input<boolean>;
    /** Folder inside the utility VM for process crash dumps (hcsshim `ProcessDumpLocation`). Change: replace. */
    processDumpLocation?: pulumi.Input<string>;
    /** Existing host folder for the VM's bugcheck saved-state files (hcsshim `DumpDirectoryPath`). Change: replace. */
    dumpDirectoryPath?: pulumi.Input<string>;
    /** Number of SCSI controllers (hcsshim `SCSIControllerCount`); WCOW requires exactly 1. Change: replace. @default 1 */
    scsiControllerCount?: pulumi.Input<number>;
    /** Turn off direct mapping for the VM's VSMB shares (hcsshim `NoDirectMap`). Change: replace. @default false */
    noDirectMap?: pulumi.Input<boolean>;
    /** Give the guest UTC instead of the host's time zone (hcsshim `NoInheritHostTimezone`). Change: replace. @default false */
    noInheritHostTimezone?: pulumi.Input<boolean>;
    /** Refuse writable file shares added to the VM later (hcsshim `NoWritableFileShares`). Change: in place (provider-side). @default false */
    noWritableFileShares?: pulumi.Input<boolean>;
    /** Address of the network configuration proxy for the VM (hcsshim `NetworkConfigProxy`); not sent to HCS. Change: in place (provider-side). */
    networkConfigProxy?: pulumi.Input<string>;
    /**
     * Let HCS terminate the VM when the last handle to it closes (`ShouldTerminateOnLastHandleClosed`,
     * always true in hcsshim). Off by default: the provider exits after each operation and the VM
     * must keep running. Change: replace.
     * @default false
     */
    terminateOnLastHandleClosed?: pulumi.Input<boolean>;
    /** Start the VM after creating it. Change: false → true starts it in place; true → false replaces it. @default true */
    start?: pulumi.Input<boolean>;
    /**
     * When a compute system with `computeSystemId` already exists, take it over instead of failing;
     * its delete then leaves the files it did not make. The `import` resource option sets it for you.
     * Change: none (read only at create).
     * @default false
     */
    adoptExisting?: pulumi.Input<boolean>;
    /** Limits for the provider's create, update and delete waits. Change: in place (provider-side). */
    timeouts?: pulumi.Input<WcowUtilityVmTimeouts>;
}

/**
 * A Windows utility VM: the Hyper-V isolated VM hcsshim's `CreateWCOW` builds for Windows containers,
 * created through the Host Compute Service on `host`. Outputs carry every input's effective value
 * (defaults applied, memory rounded up to even, processors clamped to the host) and what HCS reports.
 */
export class WcowUtilityVm extends pulumi.CustomResource {
    /** Layer folders as normalized Windows paths. */
    declare public readonly layerFolders: pulumi.Output<string[]>;
    /** The compute system's HCS ID; also the resource ID. */
    declare public readonly computeSystemId: pulumi.Output<string>;
    declare public readonly owner: pulumi.Output<string>;
    declare public readonly host: pulumi.Output<string>;
    /** Effective memory in MB (rounded up to even). */
    declare public readonly memorySizeInMB: pulumi.Output<number>;
    declare public readonly allowOvercommit: pulumi.Output<boolean>;
    declare public readonly enableDeferredCommit: pulumi.Output<boolean>;
    declare public readonly fullyPhysicallyBacked: pulumi.Output<boolean>;
    declare public readonly lowMMIOGapInMB: pulumi.Output<number>;
    declare public readonly highMMIOBaseInMB: pulumi.Output<number>;
    declare public readonly highMMIOGapInMB: pulumi.Output<number>;
    /** Effective virtual processors (defaulted for and clamped to the host). */
    declare public readonly processorCount: pulumi.Output<number>;
    declare public readonly processorLimit: pulumi.Output<number>;
    declare public readonly processorWeight: pulumi.Output<number>;
    declare public readonly storageQoSIopsMaximum: pulumi.Output<number>;
    declare public readonly storageQoSBandwidthMaximum: pulumi.Output<number>;
    declare public readonly cpuGroupId: pulumi.Output<string | undefined>;
    declare public readonly disableCompartmentNamespace: pulumi.Output<boolean>;
    declare public readonly processDumpLocation: pulumi.Output<string | undefined>;
    declare public readonly dumpDirectoryPath: pulumi.Output<string | undefined>;
    declare public readonly scsiControllerCount: pulumi.Output<number>;
    declare public readonly noDirectMap: pulumi.Output<boolean>;
    declare public readonly noInheritHostTimezone: pulumi.Output<boolean>;
    declare public readonly noWritableFileShares: pulumi.Output<boolean>;
    declare public readonly networkConfigProxy: pulumi.Output<string | undefined>;
    declare public readonly terminateOnLastHandleClosed: pulumi.Output<boolean>;
    declare public readonly start: pulumi.Output<boolean>;
    declare public readonly adoptExisting: pulumi.Output<boolean>;
    declare public readonly timeouts: pulumi.Output<{ create?: string; update?: string; delete?: string } | undefined>;
    /** The Hyper-V VM GUID HCS assigned; a new one means a new VM. */
    declare public readonly runtimeId: pulumi.Output<string>;
    /** `Created`, `Running`, `Paused` or `Stopped`, as HCS last reported it. */
    declare public readonly state: pulumi.Output<string>;
    /** The layer folder holding `UtilityVM\`. */
    declare public readonly uvmFolder: pulumi.Output<string>;
    /** `<scratch folder>\sandbox.vhdx`. */
    declare public readonly scratchPath: pulumi.Output<string>;
    /** Whether the provider copied `sandbox.vhdx` from the template (then destroy removes it). */
    declare public readonly scratchCreated: pulumi.Output<boolean>;
    /** Folders the provider created for the scratch (destroy removes them when empty). */
    declare public readonly createdFolders: pulumi.Output<string[]>;
    /** Memory HCS reported assigned at the last refresh, in MB. */
    declare public readonly assignedMemoryInMB: pulumi.Output<number | undefined>;
    /**
     * Which host the VM lives on, whatever address reaches it (`simulator:<guid>`, `windows:<name>`):
     * a new `host` value that reaches the same host changes nothing. Unset in states from before
     * host IDs.
     */
    declare public readonly hostId: pulumi.Output<string | undefined>;
    /**
     * Who holds the VM's guest connection, without which nothing runs in it: `none` when pulumi-hcs
     * did not start the VM; `lost` when it connected to the guest at start (and negotiated) and the
     * connection has ended, which on the direct hosts (`local`, `sim:`) is always, with the provider's
     * operation: the VM runs, but cannot run containers; `connected` when a long-lived owner (the
     * host agent, `grpcs://` hosts) holds it. See docs/architecture.md, "The guest connection".
     */
    declare public readonly guestConnection: pulumi.Output<string>;
    /** The guest's OS as it said when it connected (`windows`); unset when it never connected. */
    declare public readonly guestOsType: pulumi.Output<string | undefined>;
    /** The GCS protocol version negotiated with the guest (4); unset when it never connected. */
    declare public readonly guestProtocolVersion: pulumi.Output<number | undefined>;

    /**
     * Inputs are checked by the provider at preview, each failure naming its input. The rules that
     * need no host are also applied here to the inputs that are plain values (not Outputs or
     * Promises), and each problem is logged as an error under this VM, so one preview lists every
     * invalid VM of the program; the provider's check still decides. A key that is not
     * an input, or a `__proto__` key inside an input's value, is not sent (Pulumi would misread it)
     * but named, and refused there as unknown. Plain strings with an unpaired UTF-16 surrogate, which
     * Pulumi cannot send faithfully, are refused here. Values inside an Output or a Promise are not
     * seen: a `__proto__` key in them is lost, and an unpaired surrogate is dropped (a high one with a
     * character after it) or fails the registration with "string field contains invalid UTF-8".
     *
     * @param args the inputs; required, even when only `opts.import` matters.
     * @param opts `import: id` adopts the compute system `id`: Pulumi cannot import into a dynamic
     *   provider (the engine asks it to read before any provider code exists, pulumi#16175), so the
     *   option becomes `computeSystemId: id, adoptExisting: true` and the create takes the VM over.
     * @throws {TypeError} when `args` is not an object, or a plain string in it holds an unpaired
     *   surrogate; the message names the resource and every such input.
     */
    constructor(name: string, args: WcowUtilityVmArgs, opts?: pulumi.CustomResourceOptions) {
        const { import: importId, ...rest } = opts ?? {};
        const screened = screenArgs(`WcowUtilityVm ${JSON.stringify(name)}`, args, INPUT_NAMES);
        const inputs = screened.inputs as Partial<WcowUtilityVmArgs>;
        const adopt = importId !== undefined ? { computeSystemId: importId, adoptExisting: true } : {};
        // Outputs become properties of the resource only when their keys are in props (pulumi
        // runtime/rpc transferProperties), so every output is listed, set or not.
        const props: Record<string, unknown> = Object.fromEntries(OUTPUTS.map((key) => [key, undefined]));
        Object.assign(props, inputs, adopt, { timeouts: inputs.timeouts ?? timeoutsFrom(opts?.customTimeouts) });
        if (screened.unsentKeys.length > 0) props[UNSENT_KEYS_KEY] = screened.unsentKeys;
        // The engine applies replaceOnChanges only to keys a provider reports changed, which the
        // dynamic-provider host does not report; the provider's diff applies it instead.
        if (rest.replaceOnChanges !== undefined && rest.replaceOnChanges.length > 0) props[REPLACE_ON_CHANGES_KEY] = [...rest.replaceOnChanges];
        props[PROVIDER_KEY] = SERIALIZED_PROVIDER;
        // The resource's URN, so a create retried after an interruption derives the same
        // compute-system ID and recognises what its predecessor left behind (provider uvm/identity.ts).
        props[RESOURCE_KEY] = pulumi.createUrn(name, DYNAMIC_TYPE, rest.parent);
        // Problems visible now are reported under this VM now: the engine's preview stops at the
        // first VM whose check fails, so this is how it lists every invalid VM (report-problems.ts).
        const problems = declaredProblems(Object.fromEntries(INPUTS.map((key) => [key, props[key]])), screened.unsentKeys, loadInputModel());
        if (problems.length > 0) props[REPORTED_PROBLEMS_KEY] = reportProblems(props[RESOURCE_KEY] as pulumi.Output<string>, problems);
        // Pulumi makes four promises per property (37 here), each stamped with `new Error().stack`
        // for its leak report (runtime/debuggable.ts); under the language host's ts-node that is a
        // source-mapped stack trace each, 80 µs apiece: 1.2 s of the program's CPU for 100 VMs
        // (bench/README.md). No frames while registering makes them free. The resource's own
        // source position and stack trace in state are unaffected: Pulumi lifts the limit to read them.
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            super(DYNAMIC_TYPE, name, props, rest);
        } catch (err) {
            // An error thrown while registering (bad options) still shows where the VM was declared.
            Error.stackTraceLimit = stackTraceLimit;
            if (err instanceof Error) Error.captureStackTrace(err, WcowUtilityVm);
            throw err;
        } finally {
            Error.stackTraceLimit = stackTraceLimit;
        }
    }
}

/** Every input of WcowUtilityVm, in WcowUtilityVmArgs order. */
export const INPUTS = [
    "layerFolders", "computeSystemId", "owner", "host", "memorySizeInMB", "allowOvercommit", "enableDeferredCommit",
    "fullyPhysicallyBacked", "lowMMIOGapInMB", "highMMIOBaseInMB", "highMMIOGapInMB", "processorCount", "processorLimit",
    "processorWeight", "storageQoSIopsMaximum", "storageQoSBandwidthMaximum", "cpuGroupId", "disableCompartmentNamespace",
    "processDumpLocation", "dumpDirectoryPath", "scsiControllerCount", "noDirectMap", "noInheritHostTimezone",
    "noWritableFileShares", "networkConfigProxy", "terminateOnLastHandleClosed", "start", "adoptExisting", "timeouts",
] as const satisfies readonly (keyof WcowUtilityVmArgs)[];

const INPUT_NAMES: ReadonlySet<string> = new Set(INPUTS);

/** Every output property of WcowUtilityVm: each input's effective value, then what the lifecycle adds. */
export const OUTPUTS = [
    ...INPUTS,
    "runtimeId", "state", "uvmFolder", "scratchPath", "scratchCreated", "createdFolders", "assignedMemoryInMB", "hostId",
    "guestConnection", "guestOsType", "guestProtocolVersion",
] as const;

function timeoutsFrom(custom: pulumi.CustomTimeouts | undefined): WcowUtilityVmTimeouts | undefined {
    if (!custom) return undefined;
    const timeouts: WcowUtilityVmTimeouts = {};
    if (custom.create) timeouts.create = custom.create;
    if (custom.update) timeouts.update = custom.update;
    if (custom.delete) timeouts.delete = custom.delete;
    return Object.keys(timeouts).length > 0 ? timeouts : undefined;
}
