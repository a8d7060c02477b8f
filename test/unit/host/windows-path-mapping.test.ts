import * as path from "node:path";
import { confine, mapWindowsPath, splitWindowsPath } from "../../../provider/src/host/windows-path-mapping";

// The root is resolved like any path (see "resolves a relative root"): "/sim" is absolute on Linux,
// but on Windows it is rooted on the current drive, so it maps to e.g. Z:\sim\fs\... there.
const SIM = path.resolve("/sim");

describe("mapWindowsPath()", () => {
    test("maps C:\\a\\b to <root>/fs/c/a/b, keeping the names' case", () => {
        expect(mapWindowsPath("/sim", "C:\\Layers\\Base")).toBe(path.join(SIM, "fs", "c", "Layers", "Base"));
    });

    test("maps a drive root to the drive's folder", () => {
        expect(mapWindowsPath("/sim", "D:\\")).toBe(path.join(SIM, "fs", "d"));
    });

    test("maps either spelling of the drive letter to the same folder", () => {
        expect(mapWindowsPath("/sim", "c:\\a")).toBe(mapWindowsPath("/sim", "C:\\a"));
    });

    test("resolves a relative root", () => {
        expect(mapWindowsPath("sim", "C:\\a")).toBe(path.join(process.cwd(), "sim", "fs", "c", "a"));
    });

    test.each([["C:\\a\\.."], ["C:\\.."], ["\\\\?\\C:\\a"], ["C:\\a\\"], ["a"]])("refuses %p", (windowsPath) => {
        expect(() => mapWindowsPath("/sim", windowsPath)).toThrow(RangeError);
    });
});

describe("splitWindowsPath()", () => {
    test("splits into the lower-case drive and the names", () => {
        expect(splitWindowsPath("C:\\a\\b")).toEqual({ drive: "c", names: ["a", "b"] });
        expect(splitWindowsPath("C:\\")).toEqual({ drive: "c", names: [] });
    });
});

describe("confine()", () => {
    test("refuses a native path outside the drive root", () => {
        expect(() => confine("/sim/fs/c", "/sim/fs/d/x", "C:\\x")).toThrow(RangeError);
        expect(() => confine("/sim/fs/c", "/etc", "C:\\x")).toThrow(RangeError);
        expect(confine("/sim/fs/c", "/sim/fs/c/x", "C:\\x")).toBe("/sim/fs/c/x");
    });
});
