/**
 * The binding's prototypes against the real Windows SDK header, as mingw-w64 ships it: every line of
 * `prototypes.ts` is compiled as a function-pointer type and assigned the header's function, so a
 * wrong parameter or return type is a compile error; every name must be exported by mingw's import
 * library; and every koffi alias must have the size of the Windows type it stands for.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import koffi from "koffi";
import { HANDLE_TYPES, SCALAR_ALIASES, registerAbiTypes } from "../../provider/src/hcs/abi-types";
import { COMPUTECORE_PROTOTYPES, LOCALFREE_PROTOTYPE, prototypeName } from "../../provider/src/hcs/prototypes";

const MINGW_GCC = "x86_64-w64-mingw32-gcc";
const MINGW_NM = "x86_64-w64-mingw32-nm";
const IMPORT_LIBRARY = "/usr/x86_64-w64-mingw32/lib/libcomputecore.a";

/** `HRESULT WINAPI HcsX(args)` → `typedef HRESULT (WINAPI *check_HcsX)(args); static check_HcsX p_HcsX = HcsX;` */
function pointerCheck(prototype: string): string {
    const name = prototypeName(prototype);
    const match = /^(.*?)\s+WINAPI\s+(\w+)\s*\((.*)\)$/.exec(prototype.replace(/\b_Out_\s+/g, ""));
    if (!match) throw new Error(`Cannot parse prototype '${prototype}'`);
    const [, returnType, , parameters] = match;
    return `typedef ${returnType} (WINAPI *check_${name})(${parameters});\nstatic check_${name} p_${name} __attribute__((used)) = ${name};`;
}

function conformanceSource(): string {
    const sizeChecks = Object.keys(SCALAR_ALIASES).map((name) =>
        `_Static_assert(sizeof(${name}) == ${koffi.sizeof(name)}, "${name} must be ${koffi.sizeof(name)} bytes as koffi declares it");`);
    const handleChecks = HANDLE_TYPES.map((name) =>
        `_Static_assert(sizeof(${name}) == sizeof(void *), "${name} must be pointer-sized");`);
    return [
        "#include <windows.h>",
        "#include <computecore.h>",
        "_Static_assert(sizeof(WCHAR) == 2, \"PCWSTR is UTF-16 (koffi char16_t)\");",
        `_Static_assert(sizeof(HCS_EVENT) == ${koffi.sizeof("HCS_EVENT")}, "HCS_EVENT layout must match koffi's struct");`,
        ...sizeChecks,
        ...handleChecks,
        ...[...COMPUTECORE_PROTOTYPES, LOCALFREE_PROTOTYPE].map(pointerCheck),
        "int main(void) { return 0; }",
        "",
    ].join("\n");
}

const haveMingw = spawnSync(MINGW_GCC, ["--version"]).status === 0;

describe("computecore prototypes against mingw-w64's computecore.h", () => {
    beforeAll(() => {
        if (!haveMingw) {
            throw new Error(`${MINGW_GCC} is not installed: install Debian's gcc-mingw-w64-x86-64-win32 and mingw-w64-x86-64-dev (.ci/run does)`);
        }
        // The koffi type names the sizes are read from, registered as the binding registers them.
        registerAbiTypes(() => undefined);
    });

    it("compiles every binding prototype as a pointer to the header's function, with -Werror", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-conformance-"));
        try {
            const source = path.join(dir, "conformance.c");
            fs.writeFileSync(source, conformanceSource());
            const result = spawnSync(MINGW_GCC, ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable",
                "-o", path.join(dir, "conformance.exe"), source, "-lcomputecore"], { encoding: "utf8" });
            expect(result.stderr).toBe("");
            expect(result.status).toBe(0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rejects a prototype whose parameter type differs from the header (the check can fail)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-conformance-"));
        try {
            const wrong = "HRESULT WINAPI HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, _Out_ PSTR *resultDocument)";
            const source = path.join(dir, "wrong.c");
            fs.writeFileSync(source, ["#include <windows.h>", "#include <computecore.h>", pointerCheck(wrong), ""].join("\n"));
            const result = spawnSync(MINGW_GCC, ["-std=c11", "-Werror", "-c", "-o", path.join(dir, "wrong.o"), source], { encoding: "utf8" });
            expect(result.status).not.toBe(0);
            expect(result.stderr).toMatch(/incompatible pointer type|initialization of .* from incompatible/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("finds every declared function exported by mingw's libcomputecore.a", () => {
        const symbols = execFileSync(MINGW_NM, ["--defined-only", IMPORT_LIBRARY], { encoding: "utf8" });
        const exported = new Set(symbols.split("\n").map((line) => line.trim().split(/\s+/).pop() ?? ""));
        const missing = COMPUTECORE_PROTOTYPES.map(prototypeName).filter((name) => !exported.has(name) && !exported.has(`__imp_${name}`));
        expect(missing).toEqual([]);
    });
});
