import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MappedFileSystem } from "../../../provider/src/host/mapped-filesystem";
import { FOLDER_MARKER, markOwnedFolders, removeCreatedFolders, removeOwnedFolders } from "../../../provider/src/uvm/owned-folders";

let root: string;
let mapped: MappedFileSystem;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-owned-"));
    mapped = new MappedFileSystem(root);
});

afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
});

const local = (...parts: string[]) => path.join(root, "fs", "c", ...parts);

describe("owned folders", () => {
    it("removes marked folders from the scratch folder up, stopping at a folder that is not ours", async () => {
        fs.mkdirSync(local("data"), { recursive: true });
        const created = await mapped.mkdirs("C:\\data\\uvms\\vm1");
        await markOwnedFolders(mapped, created, "vm1");
        expect(fs.readdirSync(local("data", "uvms"))).toEqual([FOLDER_MARKER, "vm1"].sort());
        expect(await removeOwnedFolders(mapped, "C:\\data\\uvms\\vm1")).toEqual(["C:\\data\\uvms\\vm1", "C:\\data\\uvms"]);
        expect(fs.readdirSync(local("data"))).toEqual([]);
    });

    it("leaves a shared parent to the last VM's delete, in any order", async () => {
        const first = await mapped.mkdirs("C:\\uvms\\pool\\vm-0");
        await markOwnedFolders(mapped, first, "vm-0");
        const second = await mapped.mkdirs("C:\\uvms\\pool\\vm-1");
        await markOwnedFolders(mapped, second, "vm-1");
        expect(second).toEqual(["C:\\uvms\\pool\\vm-1"]);
        expect(await removeOwnedFolders(mapped, "C:\\uvms\\pool\\vm-0")).toEqual(["C:\\uvms\\pool\\vm-0"]);
        expect(await removeOwnedFolders(mapped, "C:\\uvms\\pool\\vm-1")).toEqual(["C:\\uvms\\pool\\vm-1", "C:\\uvms\\pool", "C:\\uvms"]);
        expect(fs.readdirSync(local())).toEqual([]);
    });

    it("copes with parallel deletes racing for the same parent", async () => {
        const folders = ["vm-0", "vm-1", "vm-2", "vm-3"].map((vm) => `C:\\uvms\\pool\\${vm}`);
        for (const folder of folders) await markOwnedFolders(mapped, await mapped.mkdirs(folder), folder);
        await Promise.all(folders.map((folder) => removeOwnedFolders(mapped, folder)));
        expect(fs.readdirSync(local())).toEqual([]);
    });

    it("never removes a folder without the marker, or one with other content", async () => {
        fs.mkdirSync(local("mine", "vm1"), { recursive: true });
        expect(await removeOwnedFolders(mapped, "C:\\mine\\vm1")).toEqual([]);
        const created = await mapped.mkdirs("C:\\uvms\\vm2");
        await markOwnedFolders(mapped, created, "vm2");
        fs.writeFileSync(local("uvms", "vm2", "notes.txt"), "keep");
        expect(await removeOwnedFolders(mapped, "C:\\uvms\\vm2")).toEqual([]);
        expect(fs.readdirSync(local("uvms", "vm2")).sort()).toEqual([FOLDER_MARKER, "notes.txt"].sort());
    });

    it("a rollback removes what its create made, but leaves a parent another VM now uses marked for later", async () => {
        const first = await mapped.mkdirs("C:\\uvms\\pool\\vm-0");
        await markOwnedFolders(mapped, first, "vm-0");
        const second = await mapped.mkdirs("C:\\uvms\\pool\\vm-1");
        await markOwnedFolders(mapped, second, "vm-1");
        await removeCreatedFolders(mapped, first); // vm-0's create failed
        expect(fs.readdirSync(local("uvms", "pool")).sort()).toEqual([FOLDER_MARKER, "vm-1"].sort());
        expect(await removeOwnedFolders(mapped, "C:\\uvms\\pool\\vm-1")).toEqual(["C:\\uvms\\pool\\vm-1", "C:\\uvms\\pool", "C:\\uvms"]);
    });

    it("a rollback removes its folders even when it failed before marking them", async () => {
        const created = await mapped.mkdirs("C:\\uvms\\unmarked");
        await removeCreatedFolders(mapped, created);
        expect(fs.readdirSync(local())).toEqual([]);
    });
});
