import { buildComputeSystemDocument } from "../../../provider/src/document/build-document";
import { marshalDocument } from "../../../provider/src/document/marshal";
import type { ComputeSystem } from "../../../provider/src/document/schema";
import { resolveOptions } from "../../../provider/src/model/resolve";
import type { ResolvedOptions } from "../../../provider/src/model/resolved-options";

const ID = "0f9a2c5e-1b7d-4e3a-9c4f-8d2e6b1a7c30";
const SCSI_0 = "df6d0690-79e5-55b6-a5ec-c1e2f77f580a";

function options(args: Record<string, unknown> = {}): ResolvedOptions {
    const result = resolveOptions({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\vm1"], ...args }, { logicalProcessors: 8, build: 20348, creatorProcessors: 2 });
    if (!result.ok) throw new Error(JSON.stringify(result.failures));
    return result.options;
}

/** The document as HCS gets it, parsed back: what marshalDocument keeps after omitempty. */
function sent(args: Record<string, unknown> = {}, overrides: Partial<ResolvedOptions> = {}): ComputeSystem {
    const doc = buildComputeSystemDocument({
        options: { ...options(args), ...overrides },
        computeSystemId: ID,
        uvmFolder: "C:\\layers\\base",
        scratchPath: "C:\\uvms\\vm1\\sandbox.vhdx",
    });
    return JSON.parse(marshalDocument(doc)) as ComputeSystem;
}

describe("buildComputeSystemDocument()", () => {
    test("builds hcsshim's skeleton for the defaults", () => {
        const doc = sent();
        expect(doc).toEqual({
            Owner: "pulumi-hcs",
            SchemaVersion: { Major: 2, Minor: 1 },
            VirtualMachine: {
                StopOnReset: true,
                Chipset: { Uefi: { BootThis: { DeviceType: "VmbFs", DevicePath: "\\EFI\\Microsoft\\Boot\\bootmgfw.efi" } } },
                ComputeTopology: { Memory: { SizeInMB: 1024, AllowOvercommit: true, EnableHotHint: true }, Processor: { Count: 2 } },
                Devices: {
                    Scsi: { [SCSI_0]: { Attachments: { "0": { Type: "VirtualDisk", Path: "C:\\uvms\\vm1\\sandbox.vhdx" } } } },
                    HvSocket: { HvSocketConfig: { DefaultBindSecurityDescriptor: "D:P(A;;FA;;;SY)(A;;FA;;;BA)" } },
                    VirtualSmb: {
                        Shares: [
                            {
                                Name: "os",
                                Path: "C:\\layers\\base\\UtilityVM\\Files",
                                Options: { ReadOnly: true, ShareRead: true, CacheIo: true, TakeBackupPrivilege: true, PseudoOplocks: true },
                            },
                        ],
                        DirectFileMappingInMB: 1024,
                    },
                },
                RegistryChanges: {
                    AddValues: [
                        { Key: { Hive: "System", Name: "CurrentControlSet\\Services\\gns" }, Name: "EnableCompartmentNamespace", Type: "DWord", DWordValue: 1 },
                    ],
                },
            },
        });
    });

    test("leaves ShouldTerminateOnLastHandleClosed off by default and sets it on request", () => {
        expect(sent().ShouldTerminateOnLastHandleClosed).toBeUndefined();
        expect(sent({ terminateOnLastHandleClosed: true }).ShouldTerminateOnLastHandleClosed).toBe(true);
    });

    test("uses the owner", () => {
        expect(sent({ owner: "ci-pool" }).Owner).toBe("ci-pool");
    });

    test("adds Limit, Weight and CpuGroup after Count, in that order", () => {
        const json = marshalDocument(
            buildComputeSystemDocument({
                options: options({ processorLimit: 50_000, processorWeight: 200, cpuGroupId: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f" }),
                computeSystemId: ID,
                uvmFolder: "C:\\layers\\base",
                scratchPath: "C:\\uvms\\vm1\\sandbox.vhdx",
            }),
        );
        expect(json).toContain('"Processor":{"Count":2,"Limit":50000,"Weight":200,"CpuGroup":{"Id":"7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f"}}');
    });

    test("uses the normalized processor count and memory size", () => {
        expect(sent({ processorCount: 64, memorySizeInMB: 2047 }).VirtualMachine?.ComputeTopology).toEqual({
            Memory: { SizeInMB: 2048, AllowOvercommit: true, EnableHotHint: true },
            Processor: { Count: 8 },
        });
    });

    test("omits SizeInMB for 0 MB as hcsshim does (omitempty; validation refuses 0 before it gets here)", () => {
        expect(sent({}, { memorySizeInMB: 0 }).VirtualMachine?.ComputeTopology?.Memory).toEqual({ AllowOvercommit: true, EnableHotHint: true });
    });

    test("drops AllowOvercommit and EnableHotHint for physically backed memory", () => {
        expect(sent({ allowOvercommit: false }).VirtualMachine?.ComputeTopology?.Memory).toEqual({ SizeInMB: 1024 });
    });

    test("writes EnableDeferredCommit after EnableHotHint", () => {
        const json = marshalDocument(
            buildComputeSystemDocument({ options: options({ enableDeferredCommit: true }), computeSystemId: ID, uvmFolder: "C:\\b", scratchPath: "C:\\s" }),
        );
        expect(json).toContain('"Memory":{"SizeInMB":1024,"AllowOvercommit":true,"EnableHotHint":true,"EnableDeferredCommit":true}');
    });

    test("writes the MMIO sizes under their JSON names", () => {
        expect(sent({ lowMMIOGapInMB: 64, highMMIOBaseInMB: 4096, highMMIOGapInMB: 8192 }).VirtualMachine?.ComputeTopology?.Memory).toMatchObject({
            LowMmioGapInMB: 64,
            HighMmioBaseInMB: 4096,
            HighMmioGapInMB: 8192,
        });
    });

    test.each([[{ fullyPhysicallyBacked: true }], [{ noDirectMap: true }]])("turns on NoDirectmap for %p, between TakeBackupPrivilege and PseudoOplocks", (args) => {
        const json = marshalDocument(buildComputeSystemDocument({ options: options(args), computeSystemId: ID, uvmFolder: "C:\\b", scratchPath: "C:\\s" }));
        expect(json).toContain('"Options":{"ReadOnly":true,"ShareRead":true,"CacheIo":true,"TakeBackupPrivilege":true,"NoDirectmap":true,"PseudoOplocks":true}');
    });

    test("writes fullyPhysicallyBacked memory as physically backed", () => {
        expect(sent({ fullyPhysicallyBacked: true }).VirtualMachine?.ComputeTopology?.Memory).toEqual({ SizeInMB: 1024 });
    });

    test("adds StorageQoS after RegistryChanges when either maximum is set", () => {
        expect(sent({ storageQoSIopsMaximum: 500 }).VirtualMachine?.StorageQoS).toEqual({ IopsMaximum: 500 });
        expect(sent({ storageQoSBandwidthMaximum: 1_000_000 }).VirtualMachine?.StorageQoS).toEqual({ BandwidthMaximum: 1_000_000 });
        expect(Object.keys(sent({ storageQoSIopsMaximum: 1 }).VirtualMachine ?? {}).slice(-2)).toEqual(["RegistryChanges", "StorageQoS"]);
        expect(sent().VirtualMachine?.StorageQoS).toBeUndefined();
    });

    test("adds DebugOptions last, naming the files after the compute system ID", () => {
        const vm = sent({ dumpDirectoryPath: "C:\\crash" }).VirtualMachine ?? {};
        expect(Object.keys(vm).at(-1)).toBe("DebugOptions");
        expect(vm.DebugOptions).toEqual({
            BugcheckSavedStateFileName: `C:\\crash\\${ID}-savedstate.vmrs`,
            BugcheckNoCrashdumpSavedStateFileName: `C:\\crash\\${ID}-savedstate_nocrashdump.vmrs`,
        });
    });

    test("joins dump file names to a drive root without doubling the separator", () => {
        expect(sent({ dumpDirectoryPath: "D:\\" }).VirtualMachine?.DebugOptions?.BugcheckSavedStateFileName).toBe(`D:\\${ID}-savedstate.vmrs`);
    });

    test("adds the WER values before the compartment namespace value", () => {
        expect(sent({ processDumpLocation: "C:\\dumps" }).VirtualMachine?.RegistryChanges?.AddValues?.map((v) => `${v.Key?.Name}\\${v.Name}=${v.DWordValue}`)).toEqual([
            "ControlSet001\\Services\\WerSvc\\Start=2",
            "Microsoft\\Windows\\Windows Error Reporting\\Disabled=1",
            "CurrentControlSet\\Services\\gns\\EnableCompartmentNamespace=1",
        ]);
    });

    test("writes RegistryChanges as {} when there are no values", () => {
        expect(sent({ disableCompartmentNamespace: true }).VirtualMachine?.RegistryChanges).toEqual({});
    });

    test("writes only the WER values when the compartment namespace is disabled", () => {
        expect(sent({ processDumpLocation: "C:\\dumps", disableCompartmentNamespace: true }).VirtualMachine?.RegistryChanges?.AddValues).toHaveLength(2);
    });

    test("adds empty controllers before attaching the scratch disk to controller 0", () => {
        const scsi = sent({}, { scsiControllerCount: 4 }).VirtualMachine?.Devices?.Scsi ?? {};
        expect(Object.keys(scsi)).toEqual([
            "0110f83b-de10-5172-a266-78bca56bf50a",
            "305891a9-b251-5dfe-91a2-c25d9212275b",
            "b5d2d8d4-3a75-51bf-945b-3444dc6b8579",
            SCSI_0,
        ]);
        expect(scsi["0110f83b-de10-5172-a266-78bca56bf50a"]).toEqual({});
        expect(scsi[SCSI_0]).toEqual({ Attachments: { "0": { Type: "VirtualDisk", Path: "C:\\uvms\\vm1\\sandbox.vhdx" } } });
    });

    test("refuses more SCSI controllers than there are controller IDs", () => {
        expect(() => sent({}, { scsiControllerCount: 5 })).toThrow(RangeError);
    });

    test("refuses an empty compute system ID", () => {
        expect(() =>
            buildComputeSystemDocument({ options: options(), computeSystemId: "", uvmFolder: "C:\\b", scratchPath: "C:\\s" }),
        ).toThrow(RangeError);
    });

    test("builds a fresh document each time, so callers may change it", () => {
        const input = { options: options(), computeSystemId: ID, uvmFolder: "C:\\b", scratchPath: "C:\\s" };
        const first = buildComputeSystemDocument(input);
        first.SchemaVersion!.Minor = 9;
        expect(buildComputeSystemDocument(input).SchemaVersion).toEqual({ Major: 2, Minor: 1 });
    });
});
