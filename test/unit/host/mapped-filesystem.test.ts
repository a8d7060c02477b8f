import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HostFileSystemError, isTemporaryName } from "../../../provider/src/host/filesystem";
import { MappedFileSystem } from "../../../provider/src/host/mapped-filesystem";

/** The `fs` module object itself (the namespace import's properties cannot be spied on). */
const nodeFs = jest.requireActual<typeof fs>("node:fs");

let root: string;
let hostFs: MappedFileSystem;

/** The native path of a Windows path under the root, spelled as given. */
const native = (...names: string[]): string => path.join(root, "fs", ...names);

function write(nativePath: string, content = ""): void {
    fs.mkdirSync(path.dirname(nativePath), { recursive: true });
    fs.writeFileSync(nativePath, content);
}

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "mapped-fs-"));
    hostFs = new MappedFileSystem(root);
});

afterEach(() => {
    fs.chmodSync(root, 0o700);
    fs.rmSync(root, { recursive: true, force: true });
});

describe("MappedFileSystem.stat()", () => {
    test("maps C:\\a\\b to <root>/fs/c/a/b", async () => {
        write(native("c", "layers", "base", "file.txt"));
        expect(await hostFs.stat("C:\\layers\\base\\file.txt")).toEqual({ kind: "file" });
        expect(await hostFs.stat("C:\\layers\\base")).toEqual({ kind: "directory" });
    });

    test("lower-cases the drive letter, however the path spells it", async () => {
        fs.mkdirSync(native("d", "x"), { recursive: true });
        expect(await hostFs.stat("D:\\x")).toEqual({ kind: "directory" });
        expect(await hostFs.stat("d:\\x")).toEqual({ kind: "directory" });
    });

    test("reports a missing path, or a missing drive, as undefined", async () => {
        expect(await hostFs.stat("C:\\nothing\\here")).toBeUndefined();
        expect(await hostFs.stat("Z:\\")).toBeUndefined();
    });

    test("reports a path through a file as missing", async () => {
        write(native("c", "file"));
        expect(await hostFs.stat("C:\\file\\below")).toBeUndefined();
    });

    test("finds names case-insensitively, as Windows does", async () => {
        write(native("c", "layers", "base", "UtilityVM", "SystemTemplate.vhdx"));
        expect(await hostFs.stat("C:\\LAYERS\\Base\\utilityvm\\systemtemplate.VHDX")).toEqual({ kind: "file" });
    });

    test("prefers the exact spelling when a case-sensitive disk holds several", async () => {
        write(native("c", "dir", "Name"), "upper");
        if (fs.existsSync(native("c", "dir", "name"))) {
            // A case-insensitive disk (Windows, Wine's Z:) cannot hold both spellings, so the choice never
            // arises: each spelling opens the one entry there is.
            expect(() => fs.mkdirSync(native("c", "dir", "name"))).toThrow(expect.objectContaining({ code: "EEXIST" }));
            expect(await hostFs.stat("C:\\dir\\name")).toEqual({ kind: "file" });
            expect(await hostFs.stat("C:\\dir\\Name")).toEqual({ kind: "file" });
            return;
        }
        fs.mkdirSync(native("c", "dir", "name"));
        expect(await hostFs.stat("C:\\dir\\name")).toEqual({ kind: "directory" });
        expect(await hostFs.stat("C:\\dir\\Name")).toEqual({ kind: "file" });
    });

    test("isDirectory() is true only for directories", async () => {
        write(native("c", "a", "f"));
        expect(await hostFs.isDirectory("C:\\a")).toBe(true);
        expect(await hostFs.isDirectory("C:\\a\\f")).toBe(false);
        expect(await hostFs.isDirectory("C:\\missing")).toBe(false);
    });
});

describe("MappedFileSystem path checks", () => {
    test.each([["C:\\a\\..\\..\\etc"], ["..\\..\\etc"], ["\\\\server\\share"], ["\\\\?\\C:\\a"], ["C:/a"], ["C:\\a\\"], ["relative"], ["C:\\a\u0000"]])(
        "refuses %p, which is not a normalized absolute drive path",
        async (windowsPath) => {
            await expect(hostFs.stat(windowsPath)).rejects.toThrow(RangeError);
            await expect(hostFs.mkdirs(windowsPath)).rejects.toThrow(RangeError);
            await expect(hostFs.copyFile("C:\\a", windowsPath)).rejects.toThrow(RangeError);
            await expect(hostFs.removeFile(windowsPath)).rejects.toThrow(RangeError);
            await expect(hostFs.removeEmptyDirectory(windowsPath)).rejects.toThrow(RangeError);
        },
    );

    test("creates nothing outside the root", async () => {
        await hostFs.mkdirs("C:\\deep\\tree");
        expect(fs.readdirSync(root)).toEqual(["fs"]);
        expect(fs.readdirSync(path.join(root, "fs"))).toEqual(["c"]);
    });
});

describe("MappedFileSystem.mkdirs()", () => {
    test("creates the missing folders and returns them outermost first", async () => {
        fs.mkdirSync(native("c", "uvms"), { recursive: true });
        expect(await hostFs.mkdirs("C:\\uvms\\vm1\\vm")).toEqual(["C:\\uvms\\vm1", "C:\\uvms\\vm1\\vm"]);
        expect(fs.statSync(native("c", "uvms", "vm1", "vm")).isDirectory()).toBe(true);
    });

    test("returns nothing when the folder exists", async () => {
        fs.mkdirSync(native("c", "uvms", "vm1"), { recursive: true });
        expect(await hostFs.mkdirs("C:\\uvms\\vm1")).toEqual([]);
    });

    test("creates the drive's folder without reporting it", async () => {
        expect(await hostFs.mkdirs("E:\\x")).toEqual(["E:\\x"]);
        expect(fs.statSync(native("e", "x")).isDirectory()).toBe(true);
        expect(await hostFs.mkdirs("E:\\")).toEqual([]);
    });

    test("reuses an existing folder spelled in another case", async () => {
        fs.mkdirSync(native("c", "uvms"), { recursive: true });
        expect(await hostFs.mkdirs("C:\\UVMS\\vm1")).toEqual(["C:\\UVMS\\vm1"]);
        expect(fs.readdirSync(native("c"))).toEqual(["uvms"]);
        expect(fs.statSync(native("c", "uvms", "vm1")).isDirectory()).toBe(true);
    });

    test("refuses a path through a file, names it, and leaves nothing behind", async () => {
        write(native("c", "a", "file"));
        const failure = hostFs.mkdirs("C:\\a\\file\\b");
        await expect(failure).rejects.toThrow(HostFileSystemError);
        await expect(hostFs.mkdirs("C:\\a\\file\\b")).rejects.toThrow("Cannot create folder C:\\a\\file\\b: C:\\a\\file is a file, not a folder");
    });

    test("removes the folders it made when a deeper one fails", async () => {
        fs.mkdirSync(native("c", "top"), { recursive: true });
        const original = fs.promises.mkdir;
        let calls = 0;
        const spy = jest.spyOn(fs.promises, "mkdir").mockImplementation(async (...args: Parameters<typeof original>) => {
            calls++;
            if (calls === 3) throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
            return original(...args);
        });
        try {
            const error = await hostFs.mkdirs("C:\\top\\one\\two").catch((e: unknown) => e);
            expect(error).toBeInstanceOf(HostFileSystemError);
            expect((error as HostFileSystemError).message).toBe("Cannot create folder C:\\top\\one\\two: access is denied (EACCES)");
            expect((error as HostFileSystemError).code).toBe("EACCES");
        } finally {
            spy.mockRestore();
        }
        expect(fs.readdirSync(native("c", "top"))).toEqual([]);
    });
});

describe("MappedFileSystem.copyFile()", () => {
    test("copies a file", async () => {
        write(native("c", "src.vhdx"), "template");
        fs.mkdirSync(native("c", "dst"));
        await hostFs.copyFile("C:\\src.vhdx", "C:\\dst\\sandbox.vhdx");
        expect(fs.readFileSync(native("c", "dst", "sandbox.vhdx"), "utf8")).toBe("template");
    });

    test("overwrites an existing destination, like CopyFileW with bFailIfExists FALSE", async () => {
        write(native("c", "src.vhdx"), "new");
        write(native("c", "dst.vhdx"), "old content");
        await hostFs.copyFile("C:\\src.vhdx", "C:\\dst.vhdx");
        expect(fs.readFileSync(native("c", "dst.vhdx"), "utf8")).toBe("new");
    });

    test("names both Windows paths when the source is missing", async () => {
        fs.mkdirSync(native("c"), { recursive: true });
        await expect(hostFs.copyFile("C:\\missing.vhdx", "C:\\dst.vhdx")).rejects.toThrow(
            "Cannot copy C:\\missing.vhdx to C:\\dst.vhdx: it does not exist (ENOENT)",
        );
    });

    test("fails when the destination folder is missing", async () => {
        write(native("c", "src.vhdx"));
        await expect(hostFs.copyFile("C:\\src.vhdx", "C:\\no\\dst.vhdx")).rejects.toThrow(HostFileSystemError);
    });
});

describe("MappedFileSystem.removeFile()", () => {
    test("removes a file", async () => {
        write(native("c", "f"));
        await hostFs.removeFile("C:\\f");
        expect(fs.existsSync(native("c", "f"))).toBe(false);
    });

    test("accepts a missing file", async () => {
        await expect(hostFs.removeFile("C:\\never")).resolves.toBeUndefined();
    });

    test("refuses a directory", async () => {
        fs.mkdirSync(native("c", "d"), { recursive: true });
        await expect(hostFs.removeFile("C:\\d")).rejects.toThrow(/^Cannot remove file C:\\d: /);
    });
});

describe("MappedFileSystem.removeEmptyDirectory()", () => {
    test("removes an empty directory and says so", async () => {
        fs.mkdirSync(native("c", "d"), { recursive: true });
        expect(await hostFs.removeEmptyDirectory("C:\\d")).toBe(true);
        expect(fs.existsSync(native("c", "d"))).toBe(false);
    });

    test("refuses a directory that is not empty, leaving it intact", async () => {
        write(native("c", "d", "keep.txt"), "x");
        expect(await hostFs.removeEmptyDirectory("C:\\d")).toBe(false);
        expect(fs.readFileSync(native("c", "d", "keep.txt"), "utf8")).toBe("x");
    });

    test("says false for a missing directory", async () => {
        expect(await hostFs.removeEmptyDirectory("C:\\gone")).toBe(false);
    });

    test("refuses a file", async () => {
        write(native("c", "f"));
        await expect(hostFs.removeEmptyDirectory("C:\\f")).rejects.toThrow(HostFileSystemError);
        expect(fs.existsSync(native("c", "f"))).toBe(true);
    });

    test("undoes mkdirs exactly: removing the returned folders innermost first restores the tree", async () => {
        fs.mkdirSync(native("c", "uvms"), { recursive: true });
        const created = await hostFs.mkdirs("C:\\uvms\\vm1\\vm");
        for (const folder of [...created].reverse()) expect(await hostFs.removeEmptyDirectory(folder)).toBe(true);
        expect(fs.readdirSync(native("c", "uvms"))).toEqual([]);
    });
});

describe("MappedFileSystem errors", () => {
    test("throws for failures other than missing, naming the operation and path", async () => {
        fs.mkdirSync(native("c", "locked", "inner"), { recursive: true });
        fs.chmodSync(native("c", "locked"), 0o000);
        try {
            if (chmodDeniesAccess(native("c", "locked"))) {
                await expect(hostFs.stat("C:\\locked\\inner")).rejects.toThrow("Cannot inspect C:\\locked\\inner: access is denied (EACCES)");
                return;
            }
        } finally {
            fs.chmodSync(native("c", "locked"), 0o700);
        }
        // Root ignores directory permissions, and on Windows chmod only sets the read-only attribute:
        // there is no EACCES to provoke, so the file system reports one.
        const spy = jest.spyOn(nodeFs, "statSync").mockImplementationOnce(() => {
            throw Object.assign(new Error("EACCES"), { code: "EACCES" });
        });
        try {
            await expect(hostFs.stat("C:\\x")).rejects.toThrow("Cannot inspect C:\\x: access is denied (EACCES)");
        } finally {
            spy.mockRestore();
        }
    });
});

describe("MappedFileSystem text files", () => {
    it("writes and reads back a small text file, and reads a missing one as undefined", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-mapped-text-"));
        try {
            const mapped = new MappedFileSystem(root);
            await mapped.mkdirs("C:\\uvms\\vm1");
            expect(await mapped.readText("C:\\uvms\\vm1\\pulumi-hcs.json")).toBeUndefined();
            await mapped.writeText("C:\\uvms\\vm1\\pulumi-hcs.json", '{"computeSystemId":"vm1"}\n');
            expect(await mapped.readText("C:\\uvms\\vm1\\pulumi-hcs.json")).toBe('{"computeSystemId":"vm1"}\n');
            expect(fs.readFileSync(path.join(root, "fs", "c", "uvms", "vm1", "pulumi-hcs.json"), "utf8")).toContain("vm1");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

/** Whether a folder chmod'ed to 000 really refuses this process (not for root, not on Windows). */
function chmodDeniesAccess(folder: string): boolean {
    try {
        fs.readdirSync(folder);
        return false;
    } catch {
        return true;
    }
}

describe("MappedFileSystem markers are written whole (issue 10: a killed process left empty markers)", () => {
    test("writeText replaces a file by rename and leaves no temporary file", async () => {
        await hostFs.mkdirs("C:\\uvms\\atomic");
        await hostFs.writeText("C:\\uvms\\atomic\\pulumi-hcs.json", "first\n");
        await hostFs.writeText("C:\\uvms\\atomic\\pulumi-hcs.json", "second\n");
        expect(await hostFs.readText("C:\\uvms\\atomic\\pulumi-hcs.json")).toBe("second\n");
        expect(await hostFs.listNames("C:\\uvms\\atomic")).toEqual(["pulumi-hcs.json"]);
    });

    test("of 20 racing createTextExclusive calls exactly one wins, its content whole, in any spelling", async () => {
        await hostFs.mkdirs("C:\\uvms\\race");
        const names = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "C:\\uvms\\race\\pulumi-hcs.json" : "C:\\UVMS\\Race\\PULUMI-HCS.JSON"));
        const results = await Promise.all(names.map((name, i) => hostFs.createTextExclusive(name, `claim ${i}\n`)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await hostFs.readText("C:\\uvms\\race\\pulumi-hcs.json")).toBe(`claim ${results.indexOf(true)}\n`);
        expect(await hostFs.listNames("C:\\uvms\\race")).toHaveLength(1);
    });

    test("isTemporaryName recognises only the temporary files of the named marker", () => {
        expect(isTemporaryName("pulumi-hcs.json.4242-0a1b2c3d.tmp", "pulumi-hcs.json")).toBe(true);
        expect(isTemporaryName("PULUMI-HCS.JSON.1-ffffffff.tmp", "pulumi-hcs.json")).toBe(true);
        expect(isTemporaryName("pulumi-hcs.json", "pulumi-hcs.json")).toBe(false);
        expect(isTemporaryName("sandbox.vhdx.1-ffffffff.tmp", "pulumi-hcs.json")).toBe(false);
        expect(isTemporaryName("pulumi-hcs.json.notes.tmp", "pulumi-hcs.json")).toBe(false);
    });
});
