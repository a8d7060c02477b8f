import * as fs from "node:fs";
import * as path from "node:path";
import { buildComputeSystemDocument } from "../../../provider/src/document/build-document";
import { CPU_GROUP_RESOURCE_PATH, CPU_LIMITS_RESOURCE_PATH, MEMORY_SIZE_RESOURCE_PATH } from "../../../provider/src/document/constants";
import { encodeGoJson, type GoStruct } from "../../../provider/src/document/go-json";
import { marshalDocument, marshalModifySettingRequest } from "../../../provider/src/document/marshal";
import type * as S from "../../../provider/src/document/schema";
import * as L from "../../../provider/src/document/schema-layout";
import { resolveOptions } from "../../../provider/src/model/resolve";

// Every property of every type set to a non-empty value. `Required<T>` makes the compiler insist on
// all of them, and the marshaller refuses undeclared ones, so a property missing from a layout fails.
const BOOT: Required<S.UefiBootEntry> = { DeviceType: "VmbFs", DevicePath: "\\p", DiskNumber: 1, OptionalData: "o", VmbFsRootPath: "r" };
const UEFI: Required<S.Uefi> = { EnableDebugger: true, ApplySecureBootTemplate: "Apply", SecureBootTemplateId: "t", BootThis: BOOT, Console: "c" };
const CHIPSET: Required<S.Chipset> = {
    Uefi: UEFI,
    IsNumLockDisabled: true,
    BaseBoardSerialNumber: "b",
    ChassisSerialNumber: "c",
    ChassisAssetTag: "t",
    UseUtc: true,
};
const MEMORY: Required<S.Memory2> = {
    SizeInMB: 1,
    AllowOvercommit: true,
    EnableHotHint: true,
    EnableColdHint: true,
    EnableEpf: true,
    EnableDeferredCommit: true,
    EnableColdDiscardHint: true,
    LowMmioGapInMB: 2,
    HighMmioBaseInMB: 3,
    HighMmioGapInMB: 4,
};
const CPU_GROUP: Required<S.CpuGroup> = { Id: "g" };
const PROCESSOR: Required<S.Processor2> = { Count: 1, Limit: 2, Weight: 3, ExposeVirtualizationExtensions: true, CpuGroup: CPU_GROUP };
const ATTACHMENT: Required<S.Attachment> = {
    Type: "VirtualDisk",
    Path: "p",
    IgnoreFlushes: true,
    CachingMode: "c",
    NoWriteHardening: true,
    DisableExpansionOptimization: true,
    IgnoreRelativeLocator: true,
    CaptureIoAttributionContext: true,
    ReadOnly: true,
    SupportCompressedVolumes: true,
    AlwaysAllowSparseFiles: true,
    ExtensibleVirtualDiskType: "e",
};
const SCSI: Required<S.Scsi> = { Attachments: { "0": ATTACHMENT } };
const SERVICE: Required<S.HvSocketServiceConfig> = { BindSecurityDescriptor: "b", ConnectSecurityDescriptor: "c", AllowWildcardBinds: true, Disabled: true };
const HVSOCKET_CONFIG: Required<S.HvSocketSystemConfig> = {
    DefaultBindSecurityDescriptor: "b",
    DefaultConnectSecurityDescriptor: "c",
    ServiceTable: { s: SERVICE },
};
const HVSOCKET: Required<S.HvSocket2> = { HvSocketConfig: HVSOCKET_CONFIG };
const SHARE_OPTIONS: Required<S.VirtualSmbShareOptions> = {
    ReadOnly: true,
    ShareRead: true,
    CacheIo: true,
    NoOplocks: true,
    TakeBackupPrivilege: true,
    UseShareRootIdentity: true,
    NoDirectmap: true,
    NoLocks: true,
    NoDirnotify: true,
    VmSharedMemory: true,
    RestrictFileAccess: true,
    ForceLevelIIOplocks: true,
    ReparseBaseLayer: true,
    PseudoOplocks: true,
    NonCacheIo: true,
    PseudoDirnotify: true,
    SingleFileMapping: true,
};
const SHARE: Required<S.VirtualSmbShare> = { Name: "n", Path: "p", AllowedFiles: ["f"], Options: SHARE_OPTIONS };
const VSMB: Required<S.VirtualSmb> = { Shares: [SHARE], DirectFileMappingInMB: 1 };
const DEVICES: Required<S.Devices> = { Scsi: { c: SCSI }, HvSocket: HVSOCKET, VirtualSmb: VSMB };
const KEY: Required<S.RegistryKey> = { Hive: "System", Name: "k", Volatile: true };
const VALUE: Required<S.RegistryValue> = {
    Key: KEY,
    Name: "n",
    Type: "DWord",
    StringValue: "s",
    BinaryValue: "b",
    DWordValue: 1,
    QWordValue: 2,
    CustomType: 3,
};
const REGISTRY: Required<S.RegistryChanges> = { AddValues: [VALUE], DeleteKeys: [KEY] };
const QOS: Required<S.StorageQoS> = { IopsMaximum: 1, BandwidthMaximum: 2 };
const DEBUG: Required<S.DebugOptions> = {
    BugcheckSavedStateFileName: "a",
    BugcheckNoCrashdumpSavedStateFileName: "b",
    TripleFaultSavedStateFileName: "c",
    FirmwareDumpFileName: "d",
};
const VM: Required<S.VirtualMachine> = {
    StopOnReset: true,
    Chipset: CHIPSET,
    ComputeTopology: { Memory: MEMORY, Processor: PROCESSOR },
    Devices: DEVICES,
    RegistryChanges: REGISTRY,
    StorageQoS: QOS,
    DebugOptions: DEBUG,
};
const SYSTEM: Required<S.ComputeSystem> = {
    Owner: "o",
    SchemaVersion: { Major: 2, Minor: 1 },
    HostingSystemId: "h",
    VirtualMachine: VM,
    ShouldTerminateOnLastHandleClosed: true,
};
const LIMITS: Required<S.ProcessorLimits> = { Limit: 1, Weight: 2, Reservation: 3, MaximumFrequencyMHz: 4 };

const SAMPLES: readonly [GoStruct, object][] = [
    [L.VERSION, { Major: 2, Minor: 1 }],
    [L.UEFI_BOOT_ENTRY, BOOT],
    [L.UEFI, UEFI],
    [L.CHIPSET, CHIPSET],
    [L.MEMORY_2, MEMORY],
    [L.CPU_GROUP, CPU_GROUP],
    [L.PROCESSOR_2, PROCESSOR],
    [L.TOPOLOGY, { Memory: MEMORY, Processor: PROCESSOR }],
    [L.ATTACHMENT, ATTACHMENT],
    [L.SCSI, SCSI],
    [L.HVSOCKET_SERVICE_CONFIG, SERVICE],
    [L.HVSOCKET_SYSTEM_CONFIG, HVSOCKET_CONFIG],
    [L.HVSOCKET_2, HVSOCKET],
    [L.VIRTUAL_SMB_SHARE_OPTIONS, SHARE_OPTIONS],
    [L.VIRTUAL_SMB_SHARE, SHARE],
    [L.VIRTUAL_SMB, VSMB],
    [L.DEVICES, DEVICES],
    [L.REGISTRY_KEY, KEY],
    [L.REGISTRY_VALUE, VALUE],
    [L.REGISTRY_CHANGES, REGISTRY],
    [L.STORAGE_QOS, QOS],
    [L.DEBUG_OPTIONS, DEBUG],
    [L.VIRTUAL_MACHINE, VM],
    [L.COMPUTE_SYSTEM, SYSTEM],
    [L.PROCESSOR_LIMITS, LIMITS],
];

describe("schema layouts", () => {
    test.each(SAMPLES.map(([layout, sample]) => [layout.name, layout, sample] as const))(
        "%s marshals every property of a fully populated value, in declared order",
        (_name, layout, sample) => {
            const keys = Object.keys(JSON.parse(encodeGoJson(sample, layout)) as object);
            expect(keys).toEqual(layout.fields.map((f) => f.json));
            expect(keys.sort()).toEqual(Object.keys(sample).sort());
        },
    );

    // Reference §5.4 orders that differ from a naive reading of hcsshim's source.
    test("puts DeviceType before DevicePath, Shares before DirectFileMappingInMB, and NoDirectmap between TakeBackupPrivilege and PseudoOplocks", () => {
        expect(L.UEFI_BOOT_ENTRY.fields.map((f) => f.json).slice(0, 2)).toEqual(["DeviceType", "DevicePath"]);
        expect(L.VIRTUAL_SMB.fields.map((f) => f.json)).toEqual(["Shares", "DirectFileMappingInMB"]);
        const options = L.VIRTUAL_SMB_SHARE_OPTIONS.fields.map((f) => f.json);
        expect(options.indexOf("TakeBackupPrivilege")).toBeLessThan(options.indexOf("NoDirectmap"));
        expect(options.indexOf("NoDirectmap")).toBeLessThan(options.indexOf("PseudoOplocks"));
    });

    test("uses hcsshim's JSON names, not its Go field names", () => {
        expect(L.MEMORY_2.fields.map((f) => f.json)).toContain("LowMmioGapInMB");
        expect(L.MEMORY_2.fields.map((f) => f.json)).not.toContain("LowMMIOGapInMB");
        expect(L.REGISTRY_VALUE.fields.map((f) => f.json)).toContain("Type");
    });
});

// hcsshim's exact json.Marshal output for a known option set (the reference's §5.5, copied into fixtures/).
const REFERENCE = path.resolve(__dirname, "fixtures", "hcsshim-example.md");

function referenceExample(): string {
    if (!fs.existsSync(REFERENCE)) throw new Error(`hcsshim reference not found at ${REFERENCE}`);
    const text = fs.readFileSync(REFERENCE, "utf8");
    const start = text.indexOf("This is the compact string passed to `HcsCreateComputeSystem`");
    const block = /```\n(\{.*\})\n```/.exec(text.slice(start));
    if (start < 0 || block === null) throw new Error("reference §5.5 example not found");
    return block[1]!;
}

describe("marshalDocument()", () => {
    test("reproduces hcsshim's example document byte for byte (reference §5.5)", () => {
        const resolved = resolveOptions(
            {
                layerFolders: ["C:\\layers\\base", "C:\\layers\\scratch"],
                owner: "containerd-shim-runhcs-v1.exe",
                processDumpLocation: "C:\\dumps",
                terminateOnLastHandleClosed: true,
            },
            { logicalProcessors: 8, build: 20348, creatorProcessors: 2 },
        );
        if (!resolved.ok) throw new Error(JSON.stringify(resolved.failures));
        const doc = buildComputeSystemDocument({
            options: resolved.options,
            computeSystemId: "id",
            uvmFolder: "C:\\layers\\base",
            scratchPath: "C:\\layers\\scratch\\sandbox.vhdx",
        });
        expect(marshalDocument(doc)).toBe(referenceExample());
    });

    test("escapes <, > and & as Go does", () => {
        expect(marshalDocument({ Owner: "a<b>&c" })).toBe('{"Owner":"a\\u003cb\\u003e\\u0026c"}');
    });

    test("refuses a misspelt document property", () => {
        expect(() => marshalDocument({ VirtualMachine: { StopOnReset: true, RegistryChange: {} } as S.VirtualMachine })).toThrow(
            'Go type VirtualMachine has no field "RegistryChange"',
        );
    });

    test("indents on request, and the indented form parses to the same value", () => {
        const doc: S.ComputeSystem = { Owner: "o", SchemaVersion: { Major: 2, Minor: 1 }, VirtualMachine: { RegistryChanges: {} } };
        const pretty = marshalDocument(doc, { indent: "  " });
        expect(pretty).toBe('{\n  "Owner": "o",\n  "SchemaVersion": {\n    "Major": 2,\n    "Minor": 1\n  },\n  "VirtualMachine": {\n    "RegistryChanges": {}\n  }\n}');
        expect(JSON.parse(pretty)).toEqual(JSON.parse(marshalDocument(doc)));
    });
});

describe("marshalModifySettingRequest()", () => {
    test("writes a CPU limits update like hcsshim, without a RequestType", () => {
        expect(marshalModifySettingRequest<S.ProcessorLimits>({ ResourcePath: CPU_LIMITS_RESOURCE_PATH, Settings: { Limit: 5000, Weight: 200 } }, L.PROCESSOR_LIMITS_SETTINGS)).toBe(
            '{"ResourcePath":"VirtualMachine/ComputeTopology/Processor/Limits","Settings":{"Limit":5000,"Weight":200}}',
        );
    });

    test("writes a memory update with the size as the settings", () => {
        expect(marshalModifySettingRequest<S.MemorySizeSettings>({ ResourcePath: MEMORY_SIZE_RESOURCE_PATH, Settings: 2048 }, L.MEMORY_SIZE_SETTINGS)).toBe(
            '{"ResourcePath":"VirtualMachine/ComputeTopology/Memory/SizeInMB","Settings":2048}',
        );
    });

    test("writes a CPU group update", () => {
        expect(
            marshalModifySettingRequest<S.CpuGroupSettings>(
                { ResourcePath: CPU_GROUP_RESOURCE_PATH, Settings: { Id: "00000000-0000-0000-0000-000000000000" } },
                L.CPU_GROUP_SETTINGS,
            ),
        ).toBe('{"ResourcePath":"VirtualMachine/ComputeTopology/Processor/CpuGroup","Settings":{"Id":"00000000-0000-0000-0000-000000000000"}}');
    });

    test("writes zero limits as an empty settings object, as Go's non-nil pointer", () => {
        expect(marshalModifySettingRequest({ ResourcePath: "p", RequestType: "Update", Settings: {} }, L.PROCESSOR_LIMITS_SETTINGS)).toBe(
            '{"ResourcePath":"p","RequestType":"Update","Settings":{}}',
        );
    });
});
