// HcsModifyComputeSystem: processor limits, CPU group, memory, VSMB shares, SCSI disks.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { closeSystem, createSystem, errorOf, hcsLib, hex, HR, modify, props, start, terminate, pause } from "./helpers/hcs-lib";
import { expectNoLeaks, makeWindowsDir, newId, prepareVmFiles, SCSI_CONTROLLER, stopSimulator, useSimulator, vmDocument, writeWindowsFile } from "./helpers/fixtures";

const LIMITS = "VirtualMachine/ComputeTopology/Processor/Limits";
const CPU_GROUP = "VirtualMachine/ComputeTopology/Processor/CpuGroup";
const MEMORY = "VirtualMachine/ComputeTopology/Memory/SizeInMB";
const SHARES = "VirtualMachine/Devices/VirtualSmb/Shares";
const NULL_GROUP = "00000000-0000-0000-0000-000000000000";
const GROUP_A = "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f";
const GROUP_B = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";

let sim: RunningSimulator;
const open: bigint[] = [];

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    for (const sys of open) await closeSystem(sys);
    expectNoLeaks();
    await stopSimulator(sim);
});

function running(opts: Parameters<typeof vmDocument>[1] = {}, doStart = true): bigint {
    const id = newId();
    prepareVmFiles(sim.root, id);
    const c = createSystem(id, vmDocument(id, opts));
    expect(hex(c.hr)).toBe(hex(0));
    open.push(c.sys!);
    if (doStart) expect(start(c.sys).hr).toBe(0);
    return c.sys!;
}

const config = (sys: bigint) => props(sys, ["Simulator"]).Simulator.Configuration;
const processor = (sys: bigint) => config(sys).VirtualMachine.ComputeTopology.Processor;

describe("processor limits", () => {
    it("applies Limit and Weight sent as hcsshim sends them (no RequestType) and persists them", () => {
        const sys = running();
        expect(modify(sys, { ResourcePath: LIMITS, Settings: { Limit: 5000, Weight: 200 } }).hr).toBe(0);
        expect(processor(sys)).toMatchObject({ Count: 2, Limit: 5000, Weight: 200 });
        expect(modify(sys, { ResourcePath: LIMITS, RequestType: "Update", Settings: { Weight: 300 } }).hr).toBe(0);
        expect(processor(sys).Limit).toBeUndefined();
        expect(processor(sys).Weight).toBe(300);
    });

    it("rejects values out of range (Limit 0–100000, Weight 0–10000) and unknown fields", () => {
        const sys = running();
        const tooHigh = modify(sys, { ResourcePath: LIMITS, Settings: { Limit: 100001 } });
        expect(hex(tooHigh.hr)).toBe(hex(HR.E_INVALIDARG));
        expect(errorOf(tooHigh).ErrorMessage).toContain("Settings.Limit: 100001 is out of range (0 to 100000)");
        expect(hex(modify(sys, { ResourcePath: LIMITS, Settings: { Weight: 10001 } }).hr)).toBe(hex(HR.E_INVALIDARG));
        const unknown = modify(sys, { ResourcePath: LIMITS, Settings: { Maximum: 1 } });
        expect(hex(unknown.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(errorOf(unknown).ErrorMessage).toContain("Settings.Maximum: unknown field");
        expect(hex(modify(sys, { ResourcePath: LIMITS, RequestType: "Add", Settings: {} }).hr)).toBe(hex(HR.E_INVALIDARG));
    });
});

describe("CPU group", () => {
    it("joins a group, must go through the null group before another one", () => {
        const sys = running();
        expect(modify(sys, { ResourcePath: CPU_GROUP, Settings: { Id: GROUP_A } }).hr).toBe(0);
        expect(props(sys, ["CpuGroup"]).CpuGroup).toEqual({ Id: GROUP_A });
        const direct = modify(sys, { ResourcePath: CPU_GROUP, Settings: { Id: GROUP_B } });
        expect(hex(direct.hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        expect(errorOf(direct).ErrorMessage).toContain("null group");
        expect(props(sys, ["CpuGroup"]).CpuGroup).toEqual({ Id: GROUP_A });
        expect(modify(sys, { ResourcePath: CPU_GROUP, Settings: { Id: NULL_GROUP } }).hr).toBe(0);
        expect(modify(sys, { ResourcePath: CPU_GROUP, Settings: { Id: GROUP_B } }).hr).toBe(0);
        expect(props(sys, ["CpuGroup"]).CpuGroup).toEqual({ Id: GROUP_B });
    });

    it("needs a GUID Id", () => {
        const sys = running();
        expect(hex(modify(sys, { ResourcePath: CPU_GROUP, Settings: {} }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(hex(modify(sys, { ResourcePath: CPU_GROUP, Settings: { Id: "group-a" } }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
    });
});

describe("memory", () => {
    it("resizes a running VM with overcommit; the Memory property follows", () => {
        const sys = running({ memoryMB: 2048 });
        expect(modify(sys, { ResourcePath: MEMORY, Settings: 1024 }).hr).toBe(0);
        expect(props(sys, ["Memory"]).Memory.VirtualMachineMemory.AssignedMemory).toBe(1024 * 256);
        expect(config(sys).VirtualMachine.ComputeTopology.Memory.SizeInMB).toBe(1024);
    });

    it("refuses a physically backed VM (AllowOvercommit false) with ERROR_NOT_SUPPORTED", () => {
        const sys = running({ allowOvercommit: false });
        const r = modify(sys, { ResourcePath: MEMORY, RequestType: "Update", Settings: 4096 });
        expect(hex(r.hr)).toBe(hex(HR.NOT_SUPPORTED));
        expect(errorOf(r).ErrorMessage).toContain("physically backed");
    });

    it("refuses a VM that is not running, odd sizes and non-numbers", () => {
        const created = running({}, false);
        expect(hex(modify(created, { ResourcePath: MEMORY, Settings: 4096 }).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        const sys = running();
        expect(hex(modify(sys, { ResourcePath: MEMORY, Settings: 1025 }).hr)).toBe(hex(HR.E_INVALIDARG));
        expect(hex(modify(sys, { ResourcePath: MEMORY, Settings: "2048" }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
    });
});

describe("VSMB shares", () => {
    it("adds, updates and removes a share; the configuration follows", () => {
        const sys = running();
        makeWindowsDir(sim.root, "C:\\shares\\tools");
        writeWindowsFile(sim.root, "C:\\shares\\tools\\a.exe");
        const share = { Name: "s1", Path: "C:\\shares\\tools", Options: { ReadOnly: true } };
        expect(modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: share }).hr).toBe(0);
        expect(config(sys).VirtualMachine.Devices.VirtualSmb.Shares.map((s: { Name: string }) => s.Name)).toEqual(["os", "s1"]);
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: share }).hr)).toBe(hex(HR.ALREADY_EXISTS));
        const restricted = { ...share, AllowedFiles: ["a.exe"], Options: { ReadOnly: true, RestrictFileAccess: true, SingleFileMapping: true } };
        expect(modify(sys, { ResourcePath: SHARES, RequestType: "Update", Settings: restricted }).hr).toBe(0);
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Update", Settings: { ...restricted, AllowedFiles: ["b.exe"] } }).hr)).toBe(hex(HR.FILE_NOT_FOUND));
        expect(modify(sys, { ResourcePath: SHARES, RequestType: "Remove", Settings: { Name: "s1" } }).hr).toBe(0);
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Remove", Settings: { Name: "s1" } }).hr)).toBe(hex(HR.NOT_FOUND));
        expect(config(sys).VirtualMachine.Devices.VirtualSmb.Shares.map((s: { Name: string }) => s.Name)).toEqual(["os"]);
    });

    it("checks the host path: missing, a file, UNC", () => {
        const sys = running();
        const r = modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: { Name: "s2", Path: "C:\\shares\\nope" } });
        expect(hex(r.hr)).toBe(hex(HR.FILE_NOT_FOUND));
        expect(errorOf(r).ErrorMessage).toContain("C:\\shares\\nope");
        writeWindowsFile(sim.root, "C:\\shares\\file.txt");
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: { Name: "s2", Path: "C:\\shares\\file.txt" } }).hr)).toBe(hex(HR.DIRECTORY));
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: { Name: "s2", Path: "\\\\srv\\share" } }).hr)).toBe(hex(HR.NOT_SUPPORTED));
        expect(hex(modify(sys, { ResourcePath: SHARES, Settings: { Name: "s2", Path: "C:\\shares" } }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
    });

    it("is refused while paused", () => {
        const sys = running();
        expect(pause(sys).hr).toBe(0);
        makeWindowsDir(sim.root, "C:\\shares\\p");
        expect(hex(modify(sys, { ResourcePath: SHARES, RequestType: "Add", Settings: { Name: "p", Path: "C:\\shares\\p" } }).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
    });
});

describe("SCSI attachments", () => {
    it("attaches a granted disk and detaches it", () => {
        const sys = running();
        const disk = "C:\\disks\\data.vhdx";
        writeWindowsFile(sim.root, disk);
        const id = props(sys).Id as string;
        const path = `VirtualMachine/Devices/Scsi/${SCSI_CONTROLLER}/Attachments/1`;
        expect(hex(modify(sys, { ResourcePath: path, RequestType: "Add", Settings: { Type: "VirtualDisk", Path: disk } }).hr)).toBe(hex(HR.E_ACCESSDENIED));
        expect(hcsLib().HcsGrantVmAccess(id, disk)).toBe(0);
        expect(modify(sys, { ResourcePath: path, RequestType: "Add", Settings: { Type: "VirtualDisk", Path: disk } }).hr).toBe(0);
        expect(config(sys).VirtualMachine.Devices.Scsi[SCSI_CONTROLLER].Attachments["1"]).toEqual({ Type: "VirtualDisk", Path: disk });
        expect(modify(sys, { ResourcePath: path, RequestType: "Remove" }).hr).toBe(0);
        expect(config(sys).VirtualMachine.Devices.Scsi[SCSI_CONTROLLER].Attachments["1"]).toBeUndefined();
    });
});

describe("any modify", () => {
    it("an unknown resource path is ERROR_NOT_SUPPORTED naming it", () => {
        const sys = running();
        const r = modify(sys, { ResourcePath: "VirtualMachine/Devices/Gpu", RequestType: "Add", Settings: {} });
        expect(hex(r.hr)).toBe(hex(HR.NOT_SUPPORTED));
        expect(errorOf(r).ErrorMessage).toContain('"VirtualMachine/Devices/Gpu"');
    });

    it("a stopped system is HCS_E_INVALID_STATE; a malformed request is HCS_E_INVALID_JSON", () => {
        const sys = running();
        expect(hex(modify(sys, "{").hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(hex(modify(sys, { ResourcePath: LIMITS, RequestType: "Replace" }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(terminate(sys).hr).toBe(0);
        expect(hex(modify(sys, { ResourcePath: LIMITS, Settings: { Limit: 1 } }).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
    });
});
