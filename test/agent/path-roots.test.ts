/**
 * The agent's path roots (provider/src/agent/path-roots.ts): the roots its command line takes, and
 * which paths in a client's spec lie outside them. The file system is a fake whose only say is
 * whether a path stays inside a root once links are followed (HostFileSystem.isInside).
 */
import type { HostFileSystem } from "../../provider/src/host/filesystem";
import { normalizeRoot, type PathRoots, pathRootViolations } from "../../provider/src/agent/path-roots";

const ROOTS: PathRoots = { layers: ["C:\\layers"], scratch: ["C:\\uvms", "D:\\scratch"], dumps: ["C:\\dumps"] };

/**
 * A file system where each entry of `links` (a folder, lower-case) leads to another folder: a path
 * through one is inside a root only when the link's target is. Records each isInside question.
 */
function fakeFs(links: Record<string, string> = {}): HostFileSystem & { asked: [string, string][] } {
    const asked: [string, string][] = [];
    const resolve = (path: string): string => {
        const lower = path.toLowerCase();
        for (const [link, target] of Object.entries(links)) {
            if (lower === link || lower.startsWith(`${link}\\`)) return target.toLowerCase() + lower.slice(link.length);
        }
        return lower;
    };
    return {
        asked,
        isInside: async (path: string, folder: string) => {
            asked.push([path, folder]);
            const real = resolve(path);
            const realFolder = resolve(folder);
            return real === realFolder || real.startsWith(`${realFolder}\\`);
        },
    } as unknown as HostFileSystem & { asked: [string, string][] };
}

describe("normalizeRoot", () => {
    it.each([
        ["C:\\layers", "C:\\layers"],
        ["C:\\layers\\", "C:\\layers"],
        ["C:/layers/base/", "C:\\layers\\base"],
        ["C:\\layers\\.\\base", "C:\\layers\\base"],
        ["C:\\", "C:\\"],
        ["d:\\Scratch", "d:\\Scratch"],
    ])("takes %j as %j", (root, normalized) => {
        expect(normalizeRoot("--layer-root", root)).toBe(normalized);
    });

    it.each([
        ["layers", "it is not an absolute drive path like C:\\folder"],
        ["\\layers", "it is not an absolute drive path like C:\\folder"],
        ["C:layers", "it is not an absolute drive path like C:\\folder"],
        ["\\\\server\\share\\layers", "UNC paths (\\\\server\\share) are not accepted"],
        ["\\\\?\\C:\\layers", "device paths (\\\\?\\, \\\\.\\) are not accepted"],
        ["\\\\.\\C:\\layers", "device paths (\\\\?\\, \\\\.\\) are not accepted"],
        ["C:\\uvms\\..\\Windows", "it contains a '..' step"],
        ["C:\\layers:hidden", "it names an alternate data stream (':')"],
    ])("refuses %j, naming the flag and the rule", (root, rule) => {
        expect(() => normalizeRoot("--scratch-root", root)).toThrow(`--scratch-root ${JSON.stringify(root)}: ${rule}`);
    });
});

describe("pathRootViolations", () => {
    it("accepts layers under a layer root and the scratch under a scratch root, asking about links for each", async () => {
        const fs = fakeFs();
        const violations = await pathRootViolations({ layerFolders: ["C:\\layers\\base", "C:\\layers\\app", "C:\\uvms\\vm-1"], dumpDirectoryPath: "C:\\dumps\\vm-1" }, ROOTS, fs);
        expect(violations).toEqual([]);
        expect(fs.asked).toEqual([
            ["C:\\layers\\base", "C:\\layers"],
            ["C:\\layers\\app", "C:\\layers"],
            ["C:\\uvms\\vm-1", "C:\\uvms"],
            ["C:\\dumps\\vm-1", "C:\\dumps"],
        ]);
    });

    it("compares as Windows does: case-insensitively, either separator, a root itself included", async () => {
        const fs = fakeFs();
        expect(await pathRootViolations({ layerFolders: ["c:/LAYERS/Base", "D:\\SCRATCH\\vm\\"] }, ROOTS, fs)).toEqual([]);
        expect(fs.asked).toEqual([["c:\\LAYERS\\Base", "C:\\layers"], ["D:\\SCRATCH\\vm", "D:\\scratch"]]);
        expect(await pathRootViolations({ layerFolders: ["C:\\layers", "C:\\uvms"] }, ROOTS, fakeFs())).toEqual([]);
    });

    it("holds each folder to its own kind of root: the scratch is the last layer folder, the others are layers", async () => {
        const violations = await pathRootViolations({ layerFolders: ["C:\\uvms\\base", "C:\\layers\\scratch"], dumpDirectoryPath: "C:\\uvms\\dumps" }, ROOTS, fakeFs());
        expect(violations).toEqual([
            { field: "layerFolders[0]", path: "C:\\uvms\\base", reason: "it is not under the agent's layers roots (C:\\layers)" },
            { field: "layerFolders[1]", path: "C:\\layers\\scratch", reason: "it is not under the agent's scratch roots (C:\\uvms, D:\\scratch)" },
            { field: "dumpDirectoryPath", path: "C:\\uvms\\dumps", reason: "it is not under the agent's dumps roots (C:\\dumps)" },
        ]);
    });

    it("does not take a sibling whose name starts with a root's for a folder under it", async () => {
        const violations = await pathRootViolations({ layerFolders: ["C:\\layers2\\base", "C:\\uvms-other\\vm"] }, ROOTS, fakeFs());
        expect(violations.map((v) => v.field)).toEqual(["layerFolders[0]", "layerFolders[1]"]);
        expect(violations[1]!.reason).toBe("it is not under the agent's scratch roots (C:\\uvms, D:\\scratch)");
    });

    it.each([
        ["a '..' step", "C:\\uvms\\..\\Windows\\x", "it contains a '..' step"],
        ["a '..' step that stays inside", "C:\\uvms\\a\\..\\b", "it contains a '..' step"],
        ["a UNC path", "\\\\server\\share\\vm", "UNC paths (\\\\server\\share) are not accepted"],
        ["a device path", "\\\\?\\C:\\uvms\\x", "device paths (\\\\?\\, \\\\.\\) are not accepted"],
        ["a relative path", "uvms\\x", "it is not an absolute drive path like C:\\folder"],
        ["an alternate data stream", "C:\\uvms\\x:stream", "it names an alternate data stream (':')"],
    ])("refuses %s as written, without asking the file system", async (_name, scratch, reason) => {
        const fs = fakeFs();
        expect(await pathRootViolations({ layerFolders: ["C:\\layers\\base", scratch] }, ROOTS, fs)).toEqual([{ field: "layerFolders[1]", path: scratch, reason }]);
        expect(fs.asked).toEqual([["C:\\layers\\base", "C:\\layers"]]);
    });

    it("refuses a path under a root only as written: a link in it leads outside", async () => {
        const fs = fakeFs({ "c:\\uvms\\escape": "C:\\Windows" });
        const violations = await pathRootViolations({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\escape\\vm"] }, ROOTS, fs);
        expect(violations).toEqual([{
            field: "layerFolders[1]",
            path: "C:\\uvms\\escape\\vm",
            reason: "it is under C:\\uvms only as written: a link or junction in it leads outside the agent's scratch roots",
        }]);
        // A link that stays inside the roots is fine.
        expect(await pathRootViolations({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\inner\\vm"] }, ROOTS, fakeFs({ "c:\\uvms\\inner": "C:\\uvms\\elsewhere" }))).toEqual([]);
    });

    it("accepts a path inside one of two nested roots when a link leaves the inner one but not the outer", async () => {
        const roots: PathRoots = { ...ROOTS, scratch: ["C:\\uvms\\fast", "C:\\uvms"] };
        const fs = fakeFs({ "c:\\uvms\\fast\\vm": "C:\\uvms\\slow\\vm" });
        expect(await pathRootViolations({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\fast\\vm"] }, roots, fs)).toEqual([]);
        expect(fs.asked.slice(1)).toEqual([["C:\\uvms\\fast\\vm", "C:\\uvms\\fast"], ["C:\\uvms\\fast\\vm", "C:\\uvms"]]);
    });

    it("refuses every dump directory, naming the flag, when the agent has no dump roots", async () => {
        const violations = await pathRootViolations({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\vm"], dumpDirectoryPath: "C:\\dumps\\vm" }, { ...ROOTS, dumps: [] }, fakeFs());
        expect(violations).toEqual([{ field: "dumpDirectoryPath", path: "C:\\dumps\\vm", reason: "this agent accepts no dumps folders (it was started without --dump-root)" }]);
    });

    it("reports every violation of a spec, not only the first", async () => {
        const violations = await pathRootViolations({ layerFolders: ["D:\\base", "\\\\server\\x", "C:\\other\\vm"], dumpDirectoryPath: "C:\\..\\dumps" }, ROOTS, fakeFs());
        expect(violations.map((v) => v.field)).toEqual(["layerFolders[0]", "layerFolders[1]", "layerFolders[2]", "dumpDirectoryPath"]);
    });
});
