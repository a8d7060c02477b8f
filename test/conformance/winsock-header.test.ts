/**
 * The Hyper-V socket binding against the real Windows SDK headers, as mingw-w64 ships them
 * (winsock2.h, hvsocket.h): every line of winsock-prototypes.ts is compiled as a function-pointer type
 * and assigned Winsock's function, so a wrong parameter or return type is a compile error; every name
 * must be exported by mingw's libws2_32.a; and the koffi structures and constants the binding lays out
 * itself must have the headers' sizes, offsets and values.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import koffi, { type TypeObject } from "koffi";
import { FIONBIO, HV_PROTOCOL_RAW, POLL, SOCK_STREAM, SOMAXCONN, WINSOCK_PROTOTYPES, winsockFunctionName } from "../../provider/src/hvsock/winsock-prototypes";
import { guidBytes, registerWinsockTypes } from "../../provider/src/hvsock/winsock-types";

const MINGW_GCC = "x86_64-w64-mingw32-gcc";
const MINGW_NM = "x86_64-w64-mingw32-nm";
const IMPORT_LIBRARY = "/usr/x86_64-w64-mingw32/lib/libws2_32.a";

/** `int WSAAPI bind(args)` → `typedef int (WSAAPI *check_bind)(args); static check_bind p_bind = bind;` */
function pointerCheck(prototype: string): string {
    const name = winsockFunctionName(prototype);
    const match = /^(.*?)\s+WSAAPI\s+(\w+)\s*\((.*)\)$/.exec(prototype);
    if (!match) throw new Error(`Cannot parse prototype '${prototype}'`);
    const [, returnType, , parameters] = match;
    return `typedef ${returnType} (WSAAPI *check_${name})(${parameters});\nstatic check_${name} p_${name} __attribute__((used)) = ${name};`;
}

function layoutChecks(): string[] {
    const types = registerWinsockTypes();
    const size = (c: string, type: TypeObject) => `_Static_assert(sizeof(${c}) == ${koffi.sizeof(type)}, "sizeof(${c}) must be ${koffi.sizeof(type)} as koffi lays it out");`;
    const offset = (c: string, type: TypeObject, field: string) =>
        `_Static_assert(offsetof(${c}, ${field}) == ${koffi.offsetof(type, field)}, "offsetof(${c}, ${field}) must be ${koffi.offsetof(type, field)}");`;
    // The bytes guidBytes writes are the GUID struct's bytes (Data1..3 little-endian on x64).
    const service = [...guidBytes("acef5661-84a1-4e44-856b-6245e69f4620")].join(", ");
    return [
        size("GUID", types.GUID),
        size("SOCKADDR_HV", types.SOCKADDR_HV),
        offset("SOCKADDR_HV", types.SOCKADDR_HV, "Family"),
        offset("SOCKADDR_HV", types.SOCKADDR_HV, "Reserved"),
        offset("SOCKADDR_HV", types.SOCKADDR_HV, "VmId"),
        offset("SOCKADDR_HV", types.SOCKADDR_HV, "ServiceId"),
        size("WSAPOLLFD", types.WSAPOLLFD),
        offset("WSAPOLLFD", types.WSAPOLLFD, "fd"),
        offset("WSAPOLLFD", types.WSAPOLLFD, "events"),
        offset("WSAPOLLFD", types.WSAPOLLFD, "revents"),
        `_Static_assert(sizeof(SOCKET) == ${koffi.sizeof("uintptr_t")}, "SOCKET is uintptr_t");`,
        `_Static_assert(sizeof(u_long) == 4 && sizeof(long) == 4, "Win64 is LLP64: long and u_long are int32");`,
        `_Static_assert((long)FIONBIO == ${FIONBIO}, "FIONBIO");`,
        `_Static_assert(HV_PROTOCOL_RAW == ${HV_PROTOCOL_RAW}, "HV_PROTOCOL_RAW");`,
        `_Static_assert(SOCK_STREAM == ${SOCK_STREAM}, "SOCK_STREAM");`,
        `_Static_assert(SOMAXCONN == ${SOMAXCONN}, "SOMAXCONN");`,
        ...Object.entries(POLL).map(([name, value]) => `_Static_assert(POLL${name} == ${value}, "POLL${name}");`),
        "static const GUID service = { 0xacef5661, 0x84a1, 0x4e44, { 0x85, 0x6b, 0x62, 0x45, 0xe6, 0x9f, 0x46, 0x20 } };",
        `static const unsigned char expected[16] = { ${service} };`,
    ];
}

function conformanceSource(): string {
    return [
        "#include <winsock2.h>",
        "#include <windows.h>",
        "#include <hvsocket.h>",
        "#include <stddef.h>",
        "#include <string.h>",
        ...layoutChecks(),
        ...WINSOCK_PROTOTYPES.map(pointerCheck),
        "int main(void) { return memcmp(&service, expected, 16) != 0; }",
        "",
    ].join("\n");
}

const haveMingw = spawnSync(MINGW_GCC, ["--version"]).status === 0;

function compile(source: string, args: string[]): { status: number | null; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "winsock-conformance-"));
    try {
        const file = path.join(dir, "check.c");
        fs.writeFileSync(file, source);
        const result = spawnSync(MINGW_GCC, ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable", file, ...args.map((a) => a.replace("$DIR", dir))], { encoding: "utf8" });
        return { status: result.status, stderr: result.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("Winsock prototypes against mingw-w64's winsock2.h and hvsocket.h", () => {
    beforeAll(() => {
        if (!haveMingw) {
            throw new Error(`${MINGW_GCC} is not installed: install Debian's gcc-mingw-w64-x86-64-win32 and mingw-w64-x86-64-dev (.ci/run does)`);
        }
    });

    it("compiles every prototype as a pointer to Winsock's function, and the layouts and constants as asserted, with -Werror", () => {
        const result = compile(conformanceSource(), ["-o", "$DIR/check.exe", "-lws2_32"]);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    it("rejects a prototype whose parameter type differs from the header (the check can fail)", () => {
        const wrong = "int WSAAPI ioctlsocket(SOCKET s, long long cmd, u_long *argp)";
        const result = compile(["#include <winsock2.h>", pointerCheck(wrong), ""].join("\n"), ["-c", "-o", "$DIR/wrong.o"]);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/incompatible pointer type|initialization of .* from incompatible/);
    });

    it("rejects a layout the header does not have (the layout check can fail)", () => {
        const result = compile(["#include <winsock2.h>", "#include <windows.h>", "#include <hvsocket.h>", "#include <stddef.h>",
            "_Static_assert(offsetof(SOCKADDR_HV, VmId) == 2, \"VmId\");", ""].join("\n"), ["-c", "-o", "$DIR/wrong.o"]);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("VmId");
    });

    it("finds every declared function exported by mingw's libws2_32.a", () => {
        const symbols = execFileSync(MINGW_NM, ["--defined-only", IMPORT_LIBRARY], { encoding: "utf8" });
        const exported = new Set(symbols.split("\n").map((line) => line.trim().split(/\s+/).pop() ?? ""));
        const missing = WINSOCK_PROTOTYPES.map(winsockFunctionName).filter((name) => !exported.has(name) && !exported.has(`__imp_${name}`));
        expect(missing).toEqual([]);
    });
});
