import { HostFileSystemError, type HostFileSystem } from "../../../provider/src/host/filesystem";
import { UtilityVmFolderNotFoundError, locateUVMFolder } from "../../../provider/src/host/locate-uvm-folder";

/** A host file system that knows which paths exist, and records what it was asked. */
function fakeFs(existing: Record<string, "file" | "directory" | Error>): HostFileSystem & { asked: string[] } {
    const asked: string[] = [];
    const unused = (): never => {
        throw new Error("locateUVMFolder must only stat");
    };
    return {
        asked,
        async stat(path: string) {
            asked.push(path);
            const entry = existing[path];
            if (entry instanceof Error) throw entry;
            return entry === undefined ? undefined : { kind: entry };
        },
        isDirectory: unused,
        mkdirs: unused,
        copyFile: unused,
        removeFile: unused,
        removeEmptyDirectory: unused,
        readText: unused,
        writeText: unused,
        createTextExclusive: unused,
        isInside: unused,
        listNames: unused,
    };
}

describe("locateUVMFolder()", () => {
    test("returns the first folder holding UtilityVM, checking in the given order", async () => {
        const fs = fakeFs({ "C:\\layers\\base\\UtilityVM": "directory", "C:\\layers\\older\\UtilityVM": "directory" });
        expect(await locateUVMFolder(fs, ["C:\\layers\\app", "C:\\layers\\base", "C:\\layers\\older", "C:\\uvms\\vm1"])).toBe("C:\\layers\\base");
        expect(fs.asked).toEqual(["C:\\layers\\app\\UtilityVM", "C:\\layers\\base\\UtilityVM"]);
    });

    test("returns the layer folder, not its UtilityVM subfolder", async () => {
        expect(await locateUVMFolder(fakeFs({ "C:\\base\\UtilityVM": "directory" }), ["C:\\base", "C:\\s"])).toBe("C:\\base");
    });

    test("accepts a UtilityVM that is a file, as hcsshim does not check", async () => {
        expect(await locateUVMFolder(fakeFs({ "C:\\base\\UtilityVM": "file" }), ["C:\\base", "C:\\s"])).toBe("C:\\base");
    });

    test("includes the scratch folder in the search", async () => {
        expect(await locateUVMFolder(fakeFs({ "C:\\s\\UtilityVM": "directory" }), ["C:\\a", "C:\\s"])).toBe("C:\\s");
    });

    test("throws hcsshim's error, for the layerFolders input, when no folder has one", async () => {
        const error = await locateUVMFolder(fakeFs({}), ["C:\\a", "C:\\b"]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UtilityVmFolderNotFoundError);
        expect((error as UtilityVmFolderNotFoundError).message).toBe("utility VM folder could not be found in layers");
        expect((error as UtilityVmFolderNotFoundError).field).toBe("layerFolders");
        expect((error as UtilityVmFolderNotFoundError).layerFolders).toEqual(["C:\\a", "C:\\b"]);
    });

    test("passes other stat failures through unchanged", async () => {
        const denied = new HostFileSystemError("stat", "C:\\a\\UtilityVM", { cause: Object.assign(new Error("EACCES"), { code: "EACCES" }) });
        await expect(locateUVMFolder(fakeFs({ "C:\\a\\UtilityVM": denied }), ["C:\\a", "C:\\b"])).rejects.toBe(denied);
    });

    test("joins to a drive root without doubling the separator", async () => {
        expect(await locateUVMFolder(fakeFs({ "D:\\UtilityVM": "directory" }), ["D:\\", "C:\\s"])).toBe("D:\\");
    });
});
