/**
 * Smoke test of the Windows test setup itself (scripts/test-windows.sh): this file runs in the
 * Windows node.exe, koffi is its win32-x64 prebuild, kernel32 is callable with Windows' ABI and
 * UTF-16 strings, and Node's path module and the provider's platform helpers take their Windows
 * branches. On Linux the tests are reported as todo (see windows-only.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import koffi from "koffi";
import { toKoffiPrototype } from "../../provider/src/hcs/abi-types";
import { LOCALFREE_PROTOTYPE } from "../../provider/src/hcs/prototypes";
import { isWindows, localPathOfServiceDirectory, windowsBuildNumber } from "../../provider/src/platform";
import { describeOnWindows } from "./windows-only";

describeOnWindows("the Windows node.exe with koffi's win32 prebuild", () => {
    const MAX_PATH = 260;
    const LMEM_FIXED = 0;
    let kernel32: ReturnType<typeof koffi.load>;

    beforeAll(() => {
        kernel32 = koffi.load("kernel32.dll");
    });

    it("is Node 22 for win32-x64", () => {
        expect(process.versions.node.split(".")[0]).toBe("22");
        expect(path.basename(process.execPath).toLowerCase()).toBe("node.exe");
    });

    it("loaded koffi's win32-x64 native module into this process", () => {
        const GetModuleHandleW = kernel32.func("void * __stdcall GetModuleHandleW(const char16_t *name)");
        const GetModuleFileNameW = kernel32.func("uint32_t __stdcall GetModuleFileNameW(void *module, _Out_ uint8_t *file, uint32_t size)");
        const module = GetModuleHandleW("koffi.node");
        expect(module).not.toBeNull();
        const buffer = Buffer.alloc(MAX_PATH * 2);
        const length = GetModuleFileNameW(module, buffer, MAX_PATH) as number;
        expect(length).toBeGreaterThan(0);
        const file = buffer.toString("utf16le", 0, length * 2);
        expect(file).toMatch(/[\\/]@koromix[\\/]koffi-win32-x64[\\/]win32_x64[\\/]koffi\.node$/i);
        const lock = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package-lock.json"), "utf8"));
        expect(koffi.version).toBe(lock.packages["node_modules/koffi"].version);
        // Windows is LLP64: long is 32-bit, wchar_t is UTF-16.
        expect(koffi.sizeof("long")).toBe(4);
        expect(koffi.sizeof("wchar_t")).toBe(2);
        expect(koffi.sizeof("void *")).toBe(8);
    });

    it("calls kernel32: GetCurrentProcessId is process.pid", () => {
        const GetCurrentProcessId = kernel32.func("uint32_t __stdcall GetCurrentProcessId()");
        expect(GetCurrentProcessId()).toBe(process.pid);
    });

    it("passes non-ASCII UTF-16 strings in and out", () => {
        const text = "héllo wörld ✓ 😀 Ünïcode";
        const lstrlenW = kernel32.func("int __stdcall lstrlenW(const char16_t *text)");
        expect(lstrlenW(text)).toBe(text.length); // UTF-16 code units: the emoji is a surrogate pair
        // A round trip through the process environment: UTF-16 in, UTF-16 out of a caller's buffer.
        const SetEnvironmentVariableW = kernel32.func(
            "int __stdcall SetEnvironmentVariableW(const char16_t *name, const char16_t *value)");
        const GetEnvironmentVariableW = kernel32.func(
            "uint32_t __stdcall GetEnvironmentVariableW(const char16_t *name, _Out_ uint8_t *value, uint32_t size)");
        expect(SetEnvironmentVariableW("PULUMI_HCS_SMOKE_TEXT", text)).not.toBe(0);
        const buffer = Buffer.alloc(256);
        const length = GetEnvironmentVariableW("PULUMI_HCS_SMOKE_TEXT", buffer, buffer.length / 2) as number;
        expect(length).toBe(text.length);
        expect(buffer.toString("utf16le", 0, length * 2)).toBe(text);
        SetEnvironmentVariableW("PULUMI_HCS_SMOKE_TEXT", null);
    });

    it("decodes a LocalAlloc'd UTF-16 string and frees it with the binding's LocalFree prototype", () => {
        const LocalFree = kernel32.func(toKoffiPrototype(LOCALFREE_PROTOTYPE.replace(/\bHLOCAL\b/g, "void *")));
        const LocalAlloc = kernel32.func("void * __stdcall LocalAlloc(uint32_t flags, size_t bytes)");
        const lstrcpyW = kernel32.func("void * __stdcall lstrcpyW(void *destination, const char16_t *source)");
        const text = '{"Name":"vm-é✓😀"}';
        const memory = LocalAlloc(LMEM_FIXED, (text.length + 1) * 2);
        expect(memory).not.toBeNull();
        lstrcpyW(memory, text);
        expect(koffi.decode.string16(memory)).toBe(text);
        expect(LocalFree(memory)).toBeNull(); // NULL means freed
        expect(LocalFree(null)).toBeNull();
    });

    it("has Windows paths: path is path.win32 and the repo is on a drive", () => {
        expect(path).toBe(path.win32);
        expect(path.sep).toBe("\\");
        expect(path.delimiter).toBe(";");
        expect(path.join("a", "b", "..", "c")).toBe("a\\c");
        expect(__dirname).toMatch(/^[A-Za-z]:\\.*\\test\\windows$/);
        expect(fs.existsSync(path.join(__dirname, "..", "..", "package.json"))).toBe(true);
        // A rooted path without a drive takes the current drive's letter.
        expect(path.resolve("/var/lib")).toMatch(/^[A-Za-z]:\\var\\lib$/);
        // Drive letters compare case-insensitively; separators may be either slash.
        expect(path.relative("Z:\\Work\\A", "z:/work/a/b/c.txt")).toBe("b\\c.txt");
        expect(path.isAbsolute("\\\\server\\share\\x")).toBe(true);
        expect(path.parse("Z:\\layers\\base\\files").root).toBe("Z:\\");
    });

    it("takes the provider's Windows branches in platform.ts", () => {
        expect(isWindows).toBe(true);
        expect(localPathOfServiceDirectory("/var/lib/hcs-sim/layers/base")).toBe("Z:\\var\\lib\\hcs-sim\\layers\\base");
        expect(localPathOfServiceDirectory("C:\\already\\windows")).toBe("C:\\already\\windows");
        expect(os.release()).toMatch(/^10\.0\.\d+$/);
        expect(windowsBuildNumber()).toBeGreaterThanOrEqual(10240);
    });
});
