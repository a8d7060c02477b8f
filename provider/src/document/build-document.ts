import type { ResolvedOptions } from "../model/resolved-options";
import { joinWindowsPath } from "../model/windows-path";
import {
    BOOT_DEVICE_PATH,
    BOOT_DEVICE_TYPE,
    HVSOCKET_DEFAULT_BIND_SECURITY_DESCRIPTOR,
    SCHEMA_VERSION_2_1,
    SCSI_CONTROLLER_GUIDS,
    UVM_OS_SHARE_NAME,
    VSMB_DIRECT_FILE_MAPPING_IN_MB,
} from "./constants";
import { defaultVsmbOptions } from "./default-vsmb-options";
import type { ComputeSystem, Processor2, RegistryChanges, RegistryValue, Scsi, VirtualMachine } from "./schema";

/** What {@link buildComputeSystemDocument} needs besides the options. */
export interface DocumentInput {
    /** Resolved options; the processor count and memory size are already normalized. */
    readonly options: ResolvedOptions;
    /** The compute system ID (the user's or the generated one); names the dump files. */
    readonly computeSystemId: string;
    /** The layer folder holding `UtilityVM` (from `locateUVMFolder`). */
    readonly uvmFolder: string;
    /** `<scratch folder>\sandbox.vhdx`, attached as SCSI controller 0, LUN 0. */
    readonly scratchPath: string;
}

/**
 * The `HcsCreateComputeSystem` document for a WCOW utility VM: a port of hcsshim v0.12.9's
 * `prepareConfigDoc` plus the SCSI step of `CreateWCOW` (reference §5.1–5.3). Deliberate
 * differences: `ShouldTerminateOnLastHandleClosed` follows `options.terminateOnLastHandleClosed`
 * (hcsshim always sets it; our default is false, DESIGN §3.2), and hcsshim's checks that need the host
 * (CPU group build, dump directory) happen before this, in `resolveOptions` and the caller.
 *
 * Serialize the result with `marshalDocument`, not `JSON.stringify`: the key order and omission
 * rules live there.
 *
 * @throws {RangeError} when `computeSystemId` is empty or the options ask for more SCSI controllers
 *   than exist (validation prevents both).
 */
export function buildComputeSystemDocument(input: DocumentInput): ComputeSystem {
    const { options, computeSystemId, uvmFolder, scratchPath } = input;
    if (computeSystemId === "") throw new RangeError("Cannot build a compute system document: computeSystemId is empty");

    const vsmbOptions = defaultVsmbOptions(true, options.fullyPhysicallyBacked || options.noDirectMap);
    vsmbOptions.TakeBackupPrivilege = true;

    const processor: Processor2 = {
        Count: options.processorCount,
        Limit: options.processorLimit,
        Weight: options.processorWeight,
    };
    if (options.cpuGroupId !== undefined) processor.CpuGroup = { Id: options.cpuGroupId };

    const virtualMachine: VirtualMachine = {
        StopOnReset: true,
        Chipset: { Uefi: { BootThis: { DeviceType: BOOT_DEVICE_TYPE, DevicePath: BOOT_DEVICE_PATH } } },
        ComputeTopology: {
            Memory: {
                SizeInMB: options.memorySizeInMB,
                AllowOvercommit: options.allowOvercommit,
                // hcsshim: hot hints only make sense for VA-backed memory.
                EnableHotHint: options.allowOvercommit,
                EnableDeferredCommit: options.enableDeferredCommit,
                LowMmioGapInMB: options.lowMMIOGapInMB,
                HighMmioBaseInMB: options.highMMIOBaseInMB,
                HighMmioGapInMB: options.highMMIOGapInMB,
            },
            Processor: processor,
        },
        Devices: {
            Scsi: scsiControllers(options.scsiControllerCount, scratchPath),
            HvSocket: { HvSocketConfig: { DefaultBindSecurityDescriptor: HVSOCKET_DEFAULT_BIND_SECURITY_DESCRIPTOR } },
            VirtualSmb: {
                Shares: [{ Name: UVM_OS_SHARE_NAME, Path: joinWindowsPath(uvmFolder, "UtilityVM", "Files"), Options: vsmbOptions }],
                DirectFileMappingInMB: VSMB_DIRECT_FILE_MAPPING_IN_MB,
            },
        },
        // Always present, so an empty set is written as "RegistryChanges":{} as hcsshim does.
        RegistryChanges: registryChanges(options),
    };
    if (options.storageQoSIopsMaximum > 0 || options.storageQoSBandwidthMaximum > 0) {
        virtualMachine.StorageQoS = {
            IopsMaximum: options.storageQoSIopsMaximum,
            BandwidthMaximum: options.storageQoSBandwidthMaximum,
        };
    }
    if (options.dumpDirectoryPath !== undefined) {
        virtualMachine.DebugOptions = {
            BugcheckSavedStateFileName: joinWindowsPath(options.dumpDirectoryPath, `${computeSystemId}-savedstate.vmrs`),
            BugcheckNoCrashdumpSavedStateFileName: joinWindowsPath(
                options.dumpDirectoryPath,
                `${computeSystemId}-savedstate_nocrashdump.vmrs`,
            ),
        };
    }

    return {
        Owner: options.owner,
        SchemaVersion: { ...SCHEMA_VERSION_2_1 },
        VirtualMachine: virtualMachine,
        ShouldTerminateOnLastHandleClosed: options.terminateOnLastHandleClosed,
    };
}

/** hcsshim's registry values, in the order it appends them (reference §5.3). */
function registryChanges(options: ResolvedOptions): RegistryChanges {
    const values: RegistryValue[] = [];
    if (options.processDumpLocation !== undefined) {
        // Turn off WER upload and start WerSvc so local dumps are written.
        values.push(
            {
                Key: { Hive: "System", Name: "ControlSet001\\Services\\WerSvc" },
                Name: "Start",
                Type: "DWord",
                DWordValue: 2,
            },
            {
                Key: { Hive: "Software", Name: "Microsoft\\Windows\\Windows Error Reporting" },
                Name: "Disabled",
                Type: "DWord",
                DWordValue: 1,
            },
        );
    }
    if (!options.disableCompartmentNamespace) {
        values.push({
            Key: { Hive: "System", Name: "CurrentControlSet\\Services\\gns" },
            Name: "EnableCompartmentNamespace",
            Type: "DWord",
            DWordValue: 1,
        });
    }
    return values.length > 0 ? { AddValues: values } : {};
}

/** `CreateWCOW` step 8: empty controllers, then the scratch disk at controller 0, LUN 0. */
function scsiControllers(count: number, scratchPath: string): Record<string, Scsi> {
    if (!Number.isInteger(count) || count < 1 || count > SCSI_CONTROLLER_GUIDS.length) {
        throw new RangeError(
            `Cannot build a compute system document: scsiControllerCount must be from 1 to ${SCSI_CONTROLLER_GUIDS.length}, got ${count}`,
        );
    }
    const controllers: Record<string, Scsi> = {};
    for (let i = 0; i < count; i++) controllers[SCSI_CONTROLLER_GUIDS[i]!] = { Attachments: {} };
    controllers[SCSI_CONTROLLER_GUIDS[0]!] = { Attachments: { "0": { Type: "VirtualDisk", Path: scratchPath } } };
    return controllers;
}
