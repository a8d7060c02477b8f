// Files a document names must exist under the mapped root, and disks must be granted to the VM.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { seedLayers } from "../../provider/sim/service/seed-layers";
import { localPathOf, mapWindowsPath, normalizeWindowsPath, resolveLocalPath } from "../../provider/sim/service/windows-path";
import { closeSystem, createSystem, errorOf, hcsLib, hex, HR, modify, props, terminate } from "./helpers/hcs-lib";
import {
    expectNoLeaks, makeWindowsDir, newId, prepareVmFiles, SCSI_CONTROLLER, scratchPath, stopSimulator, useSimulator, vmDocument, writeWindowsFile,
} from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    await stopSimulator(sim);
});

describe("path mapping", () => {
    it("maps C:\\a\\b to <root>/fs/c/a/b, lower-casing only the drive letter", () => {
        expect(localPathOf("/r", "C:\\Layers\\Base")).toBe("/r/fs/c/Layers/Base");
        expect(mapWindowsPath("/r", "d:/x/y/", "f")).toEqual({ windows: "D:\\x\\y", local: "/r/fs/d/x/y" });
        expect(mapWindowsPath("/r", "\\\\?\\C:\\a\\..\\b", "f")).toEqual({ windows: "C:\\b", local: "/r/fs/c/b" });
        expect(localPathOf("/r", "C:\\")).toBe("/r/fs/c");
    });

    it("refuses relative, UNC and device paths", () => {
        expect(normalizeWindowsPath("a\\b")).toEqual({ reason: expect.stringContaining("absolute drive path") });
        expect(normalizeWindowsPath("C:a")).toEqual({ reason: expect.stringContaining("absolute drive path") });
        expect(normalizeWindowsPath("\\\\server\\share\\x")).toEqual({ reason: expect.stringContaining("UNC") });
        expect(normalizeWindowsPath("\\\\.\\PhysicalDrive0")).toEqual({ reason: expect.stringContaining("UNC") });
        expect(() => mapWindowsPath("/r", "\\\\server\\s", "Path")).toThrow(/Path: cannot use path/);
    });
});

describe("resolveLocalPath()", () => {
    let root: string;

    beforeAll(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-sim-case-"));
        fs.mkdirSync(path.join(root, "fs", "c", "uvms", "shared"), { recursive: true });
        fs.writeFileSync(path.join(root, "fs", "c", "uvms", "shared", "sandbox.vhdx"), "x");
    });

    afterAll(() => {
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("finds a file whatever the case of its names, spelled as on disk", () => {
        const onDisk = path.join(root, "fs", "c", "uvms", "shared", "sandbox.vhdx");
        expect(resolveLocalPath(root, "C:\\uvms\\shared\\sandbox.vhdx")).toBe(onDisk);
        expect(resolveLocalPath(root, "C:\\UVMS\\Shared\\sandbox.vhdx")).toBe(onDisk);
        expect(resolveLocalPath(root, "C:\\uvms\\shared\\SANDBOX.VHDX")).toBe(onDisk);
        expect(mapWindowsPath(root, "c:/UVMS/SHARED/Sandbox.Vhdx", "f")).toEqual({ windows: "C:\\UVMS\\SHARED\\Sandbox.Vhdx", local: onDisk });
    });

    it("keeps the spelling of names that do not exist yet, below the existing folders as spelled on disk", () => {
        expect(resolveLocalPath(root, "C:\\UVMS\\Shared\\New\\Disk.vhdx")).toBe(path.join(root, "fs", "c", "uvms", "shared", "New", "Disk.vhdx"));
        expect(resolveLocalPath(root, "C:\\Other\\x")).toBe(path.join(root, "fs", "c", "Other", "x"));
        expect(resolveLocalPath(root, "C:\\")).toBe(path.join(root, "fs", "c"));
    });

    it("prefers the name spelled as given when a case-sensitive disk holds several", () => {
        fs.writeFileSync(path.join(root, "fs", "c", "uvms", "shared", "SANDBOX.VHDX"), "y");
        expect(resolveLocalPath(root, "C:\\uvms\\shared\\SANDBOX.VHDX")).toBe(path.join(root, "fs", "c", "uvms", "shared", "SANDBOX.VHDX"));
        expect(resolveLocalPath(root, "C:\\uvms\\shared\\Sandbox.vhdx")).toBe(path.join(root, "fs", "c", "uvms", "shared", "SANDBOX.VHDX"));
        fs.rmSync(path.join(root, "fs", "c", "uvms", "shared", "SANDBOX.VHDX"));
    });

    it("seedLayers() finds a layer created in another case and creates nothing new", () => {
        const first = seedLayers(root, "C:\\layers\\base");
        expect(first.existing).toEqual([]);
        const again = seedLayers(root, "C:\\Layers\\BASE");
        expect(again.created).toEqual([]);
        expect(fs.readdirSync(path.join(root, "fs", "c"))).toEqual(expect.not.arrayContaining(["Layers"]));
    });
});

describe("SCSI disks", () => {
    it("a missing scratch disk fails the create with ERROR_FILE_NOT_FOUND naming the file", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id, { grant: false });
        fs.rmSync(localPathOf(sim.root, scratchPath(id)));
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.FILE_NOT_FOUND));
        const err = errorOf(c);
        expect(err.Error).toBe(HR.FILE_NOT_FOUND);
        expect(err.ErrorMessage).toContain(scratchPath(id));
        expect(err.ErrorEvents![0]!.Message).toContain(scratchPath(id));
        await closeSystem(c.sys);
    });

    it("a missing folder is ERROR_PATH_NOT_FOUND", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id, { grant: false });
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.Scsi["df6d0690-79e5-55b6-a5ec-c1e2f77f580a"].Attachments["0"].Path = "C:\\nowhere\\at\\all.vhdx";
        const c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.PATH_NOT_FOUND));
        await closeSystem(c.sys);
    });

    it("a scratch disk not granted to the VM fails with E_ACCESSDENIED naming the file and the missing grant", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id, { grant: false });
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        const err = errorOf(c);
        expect(err.ErrorMessage).toContain(scratchPath(id));
        expect(err.ErrorEvents![0]!.Message).toContain(`HcsGrantVmAccess('${id}'`);
        await closeSystem(c.sys);
    });

    it("a grant to another VM does not count; a revoked grant no longer counts", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id, { grant: false });
        expect(hcsLib().HcsGrantVmAccess(newId("other"), scratchPath(id))).toBe(0);
        let c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        await closeSystem(c.sys);
        expect(hcsLib().HcsGrantVmAccess(id, scratchPath(id))).toBe(0);
        expect(hcsLib().HcsRevokeVmAccess(id, scratchPath(id))).toBe(0);
        c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        await closeSystem(c.sys);
    });

    it("a grant belongs to the file: recreating the file drops it", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const local = localPathOf(sim.root, scratchPath(id));
        fs.rmSync(local);
        fs.writeFileSync(local, "new file");
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        await closeSystem(c.sys);
    });

    it("a group grant is enough for a read-only disk only", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const iso = "C:\\isos\\tools.iso";
        writeWindowsFile(sim.root, iso);
        expect(hcsLib().HcsGrantVmGroupAccess(iso)).toBe(0);
        const doc = vmDocument(id);
        const attachments = doc.VirtualMachine.Devices.Scsi["df6d0690-79e5-55b6-a5ec-c1e2f77f580a"].Attachments;
        attachments["1"] = { Type: "VirtualDisk", Path: iso };
        let c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        await closeSystem(c.sys);
        attachments["1"] = { Type: "VirtualDisk", Path: iso, ReadOnly: true };
        c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(0));
        await closeSystem(c.sys);
        expect(hcsLib().HcsRevokeVmGroupAccess(iso)).toBe(0);
    });

    it("HcsGrantVmAccess needs an existing file and an absolute drive path", () => {
        const lib = hcsLib();
        expect(hex(lib.HcsGrantVmAccess("vm", "C:\\no\\such\\file.vhdx"))).toBe(hex(HR.PATH_NOT_FOUND));
        writeWindowsFile(sim.root, "C:\\g\\exists.vhdx");
        expect(hex(lib.HcsGrantVmAccess("vm", "C:\\g\\missing.vhdx"))).toBe(hex(HR.FILE_NOT_FOUND));
        expect(hex(lib.HcsGrantVmAccess("vm", "relative\\x"))).toBe(hex(HR.E_INVALIDARG));
        expect(hex(lib.HcsGrantVmAccess("vm", "\\\\server\\share\\x"))).toBe(hex(HR.NOT_SUPPORTED));
        expect(hex(lib.HcsGrantVmAccess(null, "C:\\g\\exists.vhdx"))).toBe(hex(HR.E_INVALIDARG));
        expect(lib.HcsGrantVmAccess("vm", "C:\\g\\exists.vhdx")).toBe(0);
    });

    it("grants show up in the control interface's state", async () => {
        const state = await sim.control.state();
        expect(state.grants).toEqual(expect.arrayContaining([{ path: "C:\\g\\exists.vhdx", vmIds: ["vm"], group: false }]));
    });
});

describe("paths compare case-insensitively, as on NTFS", () => {
    // The folder on disk is C:\uvms\shared; documents, grants and attachments spell it otherwise.
    const created = "C:\\uvms\\shared\\sandbox.vhdx";
    const upper = "C:\\UVMS\\Shared\\sandbox.vhdx";
    const lower = "c:\\uvms\\shared\\SANDBOX.VHDX";

    function documentWithScratch(id: string, scratch: string): Record<string, any> {
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.Scsi[SCSI_CONTROLLER].Attachments["0"].Path = scratch;
        return doc;
    }

    it("C:\\UVMS\\Shared\\sandbox.vhdx and c:\\uvms\\shared\\SANDBOX.VHDX are one file for validation and grants", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id, { grant: false });
        writeWindowsFile(sim.root, created);
        expect(hcsLib().HcsGrantVmAccess(id, upper)).toBe(0);
        const c = createSystem(id, documentWithScratch(id, lower));
        expect(hex(c.hr)).toBe(hex(0));
        expect(terminate(c.sys).hr).toBe(0);
        await closeSystem(c.sys);
        // One grant, on one file, keeping the spelling of the first grant.
        const grants = (await sim.control.state()).grants.filter((g) => g.vmIds.includes(id.toLowerCase()));
        expect(grants).toEqual([{ path: upper, vmIds: [id.toLowerCase()], group: false }]);
        // Revoking through a third spelling revokes that grant.
        expect(hcsLib().HcsRevokeVmAccess(id, "C:\\Uvms\\SHARED\\Sandbox.Vhdx")).toBe(0);
        const again = createSystem(id, documentWithScratch(id, created));
        expect(hex(again.hr)).toBe(hex(HR.E_ACCESSDENIED));
        expect(errorOf(again).ErrorMessage).toContain(created);
        await closeSystem(again.sys);
        expect(fs.readdirSync(localPathOf(sim.root, "C:\\"))).toEqual(expect.not.arrayContaining(["UVMS"]));
    });

    it("a missing file in a folder named in another case is ERROR_FILE_NOT_FOUND, not ERROR_PATH_NOT_FOUND", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        writeWindowsFile(sim.root, created);
        const c = createSystem(id, documentWithScratch(id, "C:\\UVMS\\Shared\\missing.vhdx"));
        expect(hex(c.hr)).toBe(hex(HR.FILE_NOT_FOUND));
        expect(errorOf(c).ErrorMessage).toContain("C:\\UVMS\\Shared\\missing.vhdx");
        await closeSystem(c.sys);
    });

    it("a disk attached by modify is found in another case", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(0));
        writeWindowsFile(sim.root, `C:\\uvms\\${id}\\data.vhdx`);
        expect(hcsLib().HcsGrantVmAccess(id, `C:\\UVMS\\${id.toUpperCase()}\\DATA.VHDX`)).toBe(0);
        const disk = `c:\\Uvms\\${id}\\Data.Vhdx`;
        const r = modify(c.sys, { ResourcePath: `VirtualMachine/Devices/Scsi/${SCSI_CONTROLLER}/Attachments/1`, RequestType: "Add", Settings: { Type: "VirtualDisk", Path: disk } });
        expect(hex(r.hr)).toBe(hex(0));
        expect(props(c.sys, ["Simulator"]).Simulator.Configuration.VirtualMachine.Devices.Scsi[SCSI_CONTROLLER].Attachments["1"].Path).toBe(disk);
        expect(terminate(c.sys).hr).toBe(0);
        await closeSystem(c.sys);
    });

    it("VSMB share folders and their allowed files are found in another case", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        makeWindowsDir(sim.root, "C:\\shares\\Tools");
        writeWindowsFile(sim.root, "C:\\shares\\Tools\\bin\\run.exe");
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.VirtualSmb.Shares[0].Path = "C:\\LAYERS\\Base\\utilityvm\\FILES";
        doc.VirtualMachine.Devices.VirtualSmb.Shares.push({ Name: "tools", Path: "c:\\SHARES\\tools", AllowedFiles: ["BIN\\Run.EXE"] });
        const c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(0));
        expect(terminate(c.sys).hr).toBe(0);
        await closeSystem(c.sys);
    });
});

describe("VSMB shares", () => {
    it("a missing share folder fails the create with ERROR_FILE_NOT_FOUND or ERROR_PATH_NOT_FOUND naming the path", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.VirtualSmb.Shares[0].Path = "C:\\layers\\base\\UtilityVM\\Gone";
        let c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.FILE_NOT_FOUND));
        expect(errorOf(c).ErrorEvents![0]!.Message).toContain("C:\\layers\\base\\UtilityVM\\Gone");
        await closeSystem(c.sys);
        doc.VirtualMachine.Devices.VirtualSmb.Shares[0].Path = "C:\\missing\\layer\\UtilityVM\\Files";
        c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.PATH_NOT_FOUND));
        await closeSystem(c.sys);
    });

    it("a share path that is a file is ERROR_DIRECTORY", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.VirtualSmb.Shares[0].Path = "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx";
        const c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.DIRECTORY));
        await closeSystem(c.sys);
    });

    it("a UNC share path is ERROR_NOT_SUPPORTED", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.VirtualSmb.Shares[0].Path = "\\\\fileserver\\layers";
        const c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.NOT_SUPPORTED));
        expect(errorOf(c).ErrorMessage).toContain("VirtualMachine.Devices.VirtualSmb.Shares[0].Path");
        await closeSystem(c.sys);
    });
});

describe("invalid documents through the library", () => {
    it("an unknown field comes back as HCS_E_INVALID_JSON with an error document naming the field path", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const doc = vmDocument(id);
        doc.VirtualMachine.ComputeTopology.Memory.SizeInMb = 2048;
        const c = createSystem(id, doc);
        expect(hex(c.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        const err = errorOf(c);
        expect(err.Error).toBe(HR.HCS_E_INVALID_JSON);
        expect(err.ErrorMessage).toContain("VirtualMachine.ComputeTopology.Memory.SizeInMb: unknown field");
        expect(err.ErrorEvents![0]).toMatchObject({ Message: expect.stringContaining("SizeInMb"), EventId: expect.any(Number), Source: "pulumi-hcs-sim" });
        await closeSystem(c.sys);
    });

    it("a wrong type, a missing part and an unknown schema version each name their field", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const cases: [(d: Record<string, any>) => void, string][] = [
            [(d) => (d.ShouldTerminateOnLastHandleClosed = "yes"), "ShouldTerminateOnLastHandleClosed: expected boolean, got string"],
            [(d) => delete d.SchemaVersion, "SchemaVersion: missing"],
            [(d) => (d.SchemaVersion = { Major: 2, Minor: 9 }), "SchemaVersion: unsupported schema version 2.9"],
        ];
        for (const [mutate, expected] of cases) {
            const doc = vmDocument(id);
            mutate(doc);
            const c = createSystem(id, doc);
            expect(hex(c.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
            expect(errorOf(c).ErrorMessage).toContain(expected);
            await closeSystem(c.sys);
        }
        expectNoLeaks();
    });
});
