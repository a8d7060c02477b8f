// A virtual disk attached read-write is opened exclusively: a second compute system cannot attach the
// same file (by any spelling of its path) until the first one stops.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { closeSystem, createSystem, errorOf, hcsLib, hex, HR, modify, openSystem, pause, shutDown, start, terminate } from "./helpers/hcs-lib";
import { expectNoLeaks, newId, prepareVmFiles, SCSI_CONTROLLER, stopSimulator, useSimulator, vmDocument, writeWindowsFile } from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    await stopSimulator(sim);
});

let folders = 0;

/** A new disk file under its own folder, spelled as created. */
function newDisk(): string {
    const disk = `C:\\uvms\\shared-${++folders}\\sandbox.vhdx`;
    writeWindowsFile(sim.root, disk, "vhdxfile");
    return disk;
}

/** A VM document whose scratch (controller 0, LUN 0) is `disk`, granted to the VM. */
function documentWithDisk(id: string, disk: string, readOnly = false): Record<string, any> {
    prepareVmFiles(sim.root, id, { grant: false });
    expect(hcsLib().HcsGrantVmAccess(id, disk)).toBe(0);
    const doc = vmDocument(id);
    doc.VirtualMachine.Devices.Scsi[SCSI_CONTROLLER].Attachments["0"] = readOnly ? { Type: "VirtualDisk", Path: disk, ReadOnly: true } : { Type: "VirtualDisk", Path: disk };
    return doc;
}

/** Creates a system attaching `disk`; expects success. */
function holder(disk: string, opts: { readOnly?: boolean; terminateOnLastHandleClosed?: boolean } = {}): { id: string; sys: bigint } {
    const id = newId("holder");
    const doc = documentWithDisk(id, disk, opts.readOnly);
    if (opts.terminateOnLastHandleClosed) doc.ShouldTerminateOnLastHandleClosed = true;
    const c = createSystem(id, doc);
    expect(hex(c.hr)).toBe(hex(0));
    return { id, sys: c.sys! };
}

/** Tries to create a system attaching `disk`; returns its HRESULT and error document, and cleans up. */
async function tryCreate(disk: string, readOnly = false): Promise<{ hr: string; error?: ReturnType<typeof errorOf>; id: string }> {
    const id = newId("second");
    const c = createSystem(id, documentWithDisk(id, disk, readOnly));
    const result = { hr: hex(c.hr), error: c.hr === 0 ? undefined : errorOf(c), id };
    if (c.hr === 0) expect(terminate(c.sys).hr).toBe(0);
    await closeSystem(c.sys);
    return result;
}

describe("exclusive opens of read-write disks", () => {
    it("a second create attaching the disk fails with ERROR_SHARING_VIOLATION and an error document naming the file and its holder", async () => {
        writeWindowsFile(sim.root, "C:\\uvms\\shared\\sandbox.vhdx", "vhdxfile");
        const first = holder("C:\\UVMS\\Shared\\sandbox.vhdx");
        const second = await tryCreate("C:\\UVMS\\Shared\\sandbox.vhdx");
        expect(second.hr).toBe(hex(HR.SHARING_VIOLATION));
        expect(second.error!.Error).toBe(HR.SHARING_VIOLATION);
        expect(second.error!.ErrorMessage).toContain(`VirtualMachine.Devices.Scsi.${SCSI_CONTROLLER}.Attachments.0.Path`);
        expect(second.error!.ErrorMessage).toContain("The process cannot access the file because it is being used by another process");
        expect(second.error!.ErrorEvents![0]).toMatchObject({
            Message: expect.stringContaining(`compute system '${first.id}' has it attached read-write`),
            Source: "pulumi-hcs-sim",
        });
        // The refused create made no system.
        expect(hex(openSystem(second.id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        expect(terminate(first.sys).hr).toBe(0);
        await closeSystem(first.sys);
    });

    it("a case-variant path of the held disk is refused too", async () => {
        writeWindowsFile(sim.root, "C:\\uvms\\shared\\sandbox.vhdx", "vhdxfile");
        const first = holder("C:\\UVMS\\Shared\\sandbox.vhdx");
        const second = await tryCreate("c:\\uvms\\shared\\SANDBOX.VHDX");
        expect(second.hr).toBe(hex(HR.SHARING_VIOLATION));
        // The message names the disk as this document spells it (drive letter normalized) and as the holder's does.
        expect(second.error!.ErrorMessage).toContain("'C:\\uvms\\shared\\SANDBOX.VHDX'");
        expect(second.error!.ErrorMessage).toContain("as 'C:\\UVMS\\Shared\\sandbox.vhdx'");
        expect(terminate(first.sys).hr).toBe(0);
        await closeSystem(first.sys);
    });

    it("the disk stays held while the holder runs or is paused, and is free again once it is terminated", async () => {
        const disk = newDisk();
        const first = holder(disk);
        expect(start(first.sys).hr).toBe(0);
        expect((await tryCreate(disk)).hr).toBe(hex(HR.SHARING_VIOLATION));
        expect(pause(first.sys).hr).toBe(0);
        expect((await tryCreate(disk)).hr).toBe(hex(HR.SHARING_VIOLATION));
        // Terminated but still kept by its handle: the worker process, and its opens, are gone.
        expect(terminate(first.sys).hr).toBe(0);
        expect((await sim.control.state()).openDisks.filter((d) => d.path === disk)).toEqual([]);
        expect((await tryCreate(disk)).hr).toBe(hex(0));
        await closeSystem(first.sys);
    });

    it("a shut-down, killed or terminate-on-close holder releases the disk", async () => {
        const disk = newDisk();
        let first = holder(disk);
        expect(shutDown(first.sys).hr).toBe(0);
        expect((await tryCreate(disk)).hr).toBe(hex(0));
        await closeSystem(first.sys);

        first = holder(disk);
        await sim.control.kill(first.id);
        expect((await tryCreate(disk)).hr).toBe(hex(0));
        await closeSystem(first.sys);

        first = holder(disk, { terminateOnLastHandleClosed: true });
        expect((await tryCreate(disk)).hr).toBe(hex(HR.SHARING_VIOLATION));
        await closeSystem(first.sys);
        expect((await tryCreate(disk)).hr).toBe(hex(0));
    });

    it("read-only attachments share the disk with each other but not with a writer", async () => {
        const disk = newDisk();
        const reader = holder(disk, { readOnly: true });
        expect((await tryCreate(disk, true)).hr).toBe(hex(0));
        const refused = await tryCreate(disk);
        expect(refused.hr).toBe(hex(HR.SHARING_VIOLATION));
        expect(refused.error!.ErrorMessage).toContain("cannot open the virtual disk read-write");
        expect(terminate(reader.sys).hr).toBe(0);
        await closeSystem(reader.sys);

        const writer = holder(disk);
        expect((await tryCreate(disk, true)).hr).toBe(hex(HR.SHARING_VIOLATION));
        expect(terminate(writer.sys).hr).toBe(0);
        await closeSystem(writer.sys);
    });

    it("hot-adding a held disk with modify is refused; detaching it releases it", async () => {
        const disk = newDisk();
        const first = holder(newDisk());
        expect(hcsLib().HcsGrantVmAccess(first.id, disk)).toBe(0);
        const resource = `VirtualMachine/Devices/Scsi/${SCSI_CONTROLLER}/Attachments/1`;
        expect(modify(first.sys, { ResourcePath: resource, RequestType: "Add", Settings: { Type: "VirtualDisk", Path: disk.toUpperCase() } }).hr).toBe(0);
        expect((await tryCreate(disk)).hr).toBe(hex(HR.SHARING_VIOLATION));
        expect(modify(first.sys, { ResourcePath: resource, RequestType: "Remove" }).hr).toBe(0);
        expect((await tryCreate(disk)).hr).toBe(hex(0));

        const second = holder(disk);
        const refused = modify(first.sys, { ResourcePath: resource, RequestType: "Add", Settings: { Type: "VirtualDisk", Path: disk } });
        expect(hex(refused.hr)).toBe(hex(HR.SHARING_VIOLATION));
        expect(errorOf(refused).ErrorMessage).toContain("Settings.Path");
        for (const s of [first, second]) {
            expect(terminate(s.sys).hr).toBe(0);
            await closeSystem(s.sys);
        }
    });

    it("a restarted service keeps the opens of the systems that survive it", async () => {
        const disk = newDisk();
        const first = holder(disk);
        expect(start(first.sys).hr).toBe(0);
        await sim.restart();
        await closeSystem(first.sys); // a handle of the old connection
        expect((await tryCreate(disk)).hr).toBe(hex(HR.SHARING_VIOLATION));
        const reopened = openSystem(first.id);
        expect(terminate(reopened.sys).hr).toBe(0);
        await closeSystem(reopened.sys);
        expect((await tryCreate(disk)).hr).toBe(hex(0));
        expectNoLeaks();
    });
});
