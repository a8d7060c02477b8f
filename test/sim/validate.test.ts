// The simulator's own HCS schema and document rules (pure: no service, no library).
import * as fs from "node:fs";
import * as path from "node:path";
import { checkComputeSystemDocument, supportedSchemaVersions } from "../../provider/sim/service/compute-system-document";
import { HcsFailure } from "../../provider/sim/service/hresults";
import { maxSchemaMinor, STRUCTS } from "../../provider/sim/service/schema";
import { describeProblem, validateStruct } from "../../provider/sim/service/validate";
import { HR, hex } from "./helpers/hcs-lib";
import { vmDocument } from "./helpers/fixtures";

const HOST = { build: 20348, logicalProcessors: 8 };

function failureOf(doc: unknown, host = HOST): HcsFailure {
    try {
        checkComputeSystemDocument(typeof doc === "string" ? doc : JSON.stringify(doc), host);
    } catch (err) {
        if (err instanceof HcsFailure) return err;
        throw err;
    }
    throw new Error("expected the document to be rejected");
}

function withVm(mutate: (doc: Record<string, any>) => void): Record<string, any> {
    const doc = vmDocument("vm1");
    mutate(doc);
    return doc;
}

describe("checkComputeSystemDocument()", () => {
    it("accepts hcsshim's WCOW document", () => {
        expect(() => checkComputeSystemDocument(JSON.stringify(vmDocument("vm1")), HOST)).not.toThrow();
    });

    it("names an unknown field by its path, with a case hint", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.ComputeTopology.Memory.SizeInMb = 1024;
        }));
        expect(hex(f.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(f.message).toContain("VirtualMachine.ComputeTopology.Memory.SizeInMb: unknown field");
        expect(f.message).toContain("did you mean SizeInMB?");
        expect(f.events[0]!.Message).toContain("SizeInMb");
    });

    it("names a wrong JSON type", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.ComputeTopology.Processor.Count = "2";
        }));
        expect(f.message).toContain("VirtualMachine.ComputeTopology.Processor.Count: expected uint32, got string");
    });

    it("names an enum value not in the schema", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.Chipset.Uefi.BootThis.DeviceType = "Vmbfs";
        }));
        expect(f.message).toContain('VirtualMachine.Chipset.Uefi.BootThis.DeviceType: "Vmbfs" is not a UefiBootDevice value');
    });

    it("names fields inside arrays and maps", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.Devices.VirtualSmb.Shares[0].Options.NoDirectMap = true;
            d.VirtualMachine.Devices.Scsi["df6d0690-79e5-55b6-a5ec-c1e2f77f580a"].Attachments["0"].Type = "Vhd";
            d.VirtualMachine.RegistryChanges.AddValues[0].Key.Hive = "HKLM";
        }));
        expect(f.message).toContain("VirtualMachine.Devices.VirtualSmb.Shares[0].Options.NoDirectMap: unknown field (field names are case-sensitive: did you mean NoDirectmap?)");
        expect(f.message).toContain("VirtualMachine.Devices.Scsi.df6d0690-79e5-55b6-a5ec-c1e2f77f580a.Attachments.0.Type");
        expect(f.message).toContain("VirtualMachine.RegistryChanges.AddValues[0].Key.Hive");
        expect(f.events).toHaveLength(3);
    });

    it("rejects an integer out of range, a non-integer and null", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.Chipset.Uefi.BootThis.DiskNumber = 70000;
            d.VirtualMachine.Devices.VirtualSmb.DirectFileMappingInMB = 1.5;
            d.VirtualMachine.StopOnReset = null;
        }));
        expect(f.message).toContain("DiskNumber: 70000 is out of range for uint16");
        expect(f.message).toContain("DirectFileMappingInMB: expected int64, got non-integer number");
        expect(f.message).toContain("VirtualMachine.StopOnReset: expected boolean, got null");
    });

    it("requires SchemaVersion", () => {
        const f = failureOf(withVm((d) => delete d.SchemaVersion));
        expect(f.message).toContain("SchemaVersion: missing");
    });

    it("rejects a schema version the build does not support", () => {
        expect(failureOf(withVm((d) => (d.SchemaVersion = { Major: 2, Minor: 6 }))).message)
            .toContain("SchemaVersion: unsupported schema version 2.6 (this host, build 20348, supports 2.0 to 2.5)");
        expect(failureOf(withVm((d) => (d.SchemaVersion = { Major: 1, Minor: 0 }))).message).toContain("unsupported schema version 1.0");
        expect(failureOf(withVm((d) => (d.SchemaVersion = { Major: 2, Minor: 2 })), { build: 17763, logicalProcessors: 8 }).message)
            .toContain("supports 2.0 to 2.1");
        expect(() => checkComputeSystemDocument(JSON.stringify(withVm((d) => (d.SchemaVersion = { Major: 2, Minor: 6 }))), { build: 22000, logicalProcessors: 8 })).not.toThrow();
    });

    it("requires exactly one of Container, VirtualMachine, HostedSystem", () => {
        expect(failureOf({ SchemaVersion: { Major: 2, Minor: 1 } }).message).toContain("exactly one of Container, VirtualMachine, HostedSystem is required; found none");
        const both = failureOf(withVm((d) => (d.Container = {})));
        expect(both.message).toContain("found Container and VirtualMachine");
        const container = failureOf({ SchemaVersion: { Major: 2, Minor: 1 }, Container: {} });
        expect(hex(container.hr)).toBe(hex(HR.NOT_SUPPORTED));
    });

    it("requires what a VM cannot boot without: a memory size and firmware", () => {
        const f = failureOf(withVm((d) => {
            delete d.VirtualMachine.ComputeTopology.Memory.SizeInMB;
            delete d.VirtualMachine.Chipset;
        }));
        expect(hex(f.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(f.message).toContain("VirtualMachine.ComputeTopology.Memory.SizeInMB: missing");
        expect(f.message).toContain("VirtualMachine.Chipset: missing Uefi or LinuxKernelDirect");
    });

    it("rejects invalid JSON text", () => {
        const f = failureOf("{\"SchemaVersion\":");
        expect(hex(f.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(f.message).toContain("not valid JSON");
    });

    it("applies the VM rules with E_INVALIDARG: even memory, processors within the host, deferred commit, boot source", () => {
        expect(failureOf(withVm((d) => (d.VirtualMachine.ComputeTopology.Memory.SizeInMB = 1023))).message).toContain("1023 is not a multiple of 2 MB");
        const cpus = failureOf(withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.Count = 9)));
        expect(hex(cpus.hr)).toBe(hex(HR.E_INVALIDARG));
        expect(cpus.message).toContain("9 is more than this host's 8 logical processors");
        expect(failureOf(withVm((d) => (d.VirtualMachine.ComputeTopology.Memory = { SizeInMB: 1024, EnableDeferredCommit: true }))).message)
            .toContain("EnableDeferredCommit is not supported on physically backed VMs");
        expect(failureOf(withVm((d) => delete d.VirtualMachine.Devices.VirtualSmb)).message).toContain("DeviceType VmbFs needs a share");
        expect(failureOf(withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.Limit = 100001))).message)
            .toContain("VirtualMachine.ComputeTopology.Processor.Limit: 100001 is out of range (0 to 100000)");
    });

    it("rejects a CPU group on builds before 19043", () => {
        const doc = withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.CpuGroup = { Id: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f" }));
        expect(failureOf(doc, { build: 19041, logicalProcessors: 8 }).message).toContain("CpuGroup: not supported on build 19041");
        expect(() => checkComputeSystemDocument(JSON.stringify(doc), HOST)).not.toThrow();
        const bad = withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.CpuGroup = { Id: "not-a-guid" }));
        expect(failureOf(bad).message).toContain("CpuGroup.Id: expected a GUID");
    });

    it("takes a CPU group ID as hcsshim sends it: upper case, in braces", () => {
        for (const id of ["7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F", "{7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f}"]) {
            const doc = withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.CpuGroup = { Id: id }));
            expect(() => checkComputeSystemDocument(JSON.stringify(doc), HOST)).not.toThrow();
        }
        for (const id of ["{7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f", "{{7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f}}"]) {
            const doc = withVm((d) => (d.VirtualMachine.ComputeTopology.Processor.CpuGroup = { Id: id }));
            expect(failureOf(doc).message).toContain("CpuGroup.Id: expected a GUID");
        }
    });

    it("checks registry values: exactly one value, matching its Type", () => {
        const f = failureOf(withVm((d) => {
            d.VirtualMachine.RegistryChanges.AddValues.push({ Key: { Hive: "Software", Name: "x" }, Name: "v", Type: "DWord", DWordValue: 1, StringValue: "a" });
            d.VirtualMachine.RegistryChanges.AddValues.push({ Key: { Hive: "Software", Name: "x" }, Name: "w", Type: "String", DWordValue: 1 });
        }));
        expect(f.message).toContain("AddValues[1]: more than one value is set (StringValue, DWordValue)");
        expect(f.message).toContain('AddValues[2].DWordValue: does not match Type "String"');
    });
});

describe("the schema", () => {
    it("has every struct the brief lists", () => {
        for (const name of ["ComputeSystem", "Version", "VirtualMachine", "Chipset", "Uefi", "UefiBootEntry", "Topology", "VirtualMachine_Memory",
            "VirtualMachine_Processor", "CpuGroup", "Devices", "Scsi", "Attachment", "VirtualMachine_HvSocket", "HvSocketSystemConfig",
            "HvSocketServiceConfig", "VirtualSmb", "VirtualSmbShare", "VirtualSmbShareOptions", "RegistryChanges", "RegistryKey", "RegistryValue",
            "StorageQoS", "DebugOptions", "ModifySettingRequest", "ProcessorLimits", "System_PropertyQuery", "Service_PropertyQuery", "SystemQuery"]) {
            expect(STRUCTS[name]).toBeDefined();
        }
    });

    it("maps builds to schema versions as the reference's version map does", () => {
        expect([17763, 18362, 19041, 20348, 22000, 26100].map(maxSchemaMinor)).toEqual([1, 2, 3, 5, 6, 6]);
        expect(maxSchemaMinor(17134)).toBeUndefined();
        expect(supportedSchemaVersions(19041)).toEqual([{ Major: 2, Minor: 3 }]);
    });

    it("validates the request types: ModifySettingRequest, ProcessorLimits, SystemQuery", () => {
        expect(validateStruct("ModifySettingRequest", { ResourcePath: "x", RequestType: "Add", Settings: 5 })).toEqual([]);
        expect(validateStruct("ModifySettingRequest", { RequestType: "Replace" }).map(describeProblem))
            .toEqual(['RequestType: "Replace" is not a ModifyRequestType value (expected one of Add, Remove, Update)']);
        expect(validateStruct("ProcessorLimits", { Limit: -1 }, "Settings").map(describeProblem)).toEqual(["Settings.Limit: -1 is out of range for uint64"]);
        expect(validateStruct("SystemQuery", { Ids: "a" }).map(describeProblem)).toEqual(["Ids: expected array of string, got string"]);
    });
});

describe("the golden vectors", () => {
    // The provider's expected documents must be documents this independent schema accepts.
    const dir = path.resolve(__dirname, "../vectors/cases");
    const cases = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    const withDocuments = cases
        .map((f) => ({ f, v: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) }))
        .filter(({ v }) => v.expect?.document);

    (withDocuments.length > 0 ? it.each(withDocuments.map(({ f, v }) => [f, v] as const)) : it.skip.each([["(no vectors found)", {}] as const]))(
        "%s: the expected document passes the simulator's schema and rules",
        (_name, v: any) => {
            expect(() => checkComputeSystemDocument(JSON.stringify(v.expect.document), { build: v.host.build, logicalProcessors: v.host.logicalProcessors }))
                .not.toThrow();
        },
    );
});
