// The native library: the Linux build exports every prototype the binding declares (computecore's,
// and Winsock's under the HcsSimHv_ prefix), and the same source compiles with mingw-w64 against the
// real <computecore.h> and <winsock2.h> (the header type checks).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMPUTECORE_PROTOTYPES, prototypeName } from "../../provider/src/hcs/prototypes";
import { SIMULATOR_EXPORT_PREFIX, WINSOCK_PROTOTYPES, winsockFunctionName } from "../../provider/src/hvsock/winsock-prototypes";
import { providerRoot, simulatorLibraryPath } from "../../provider/sim/service/launch";

const native = path.join(providerRoot(), "sim", "native");
const source = path.join(native, "hcssim.c");
const SIM_ONLY = ["HcsSimGetLibraryStats", "HcsSimResetConnection", "HcsSimSetServiceAddress"];
const SIMULATED_WINSOCK = WINSOCK_PROTOTYPES.map((p) => `${SIMULATOR_EXPORT_PREFIX}${winsockFunctionName(p)}`);

function has(command: string): boolean {
    const r = spawnSync(command, ["--version"], { stdio: "ignore" });
    return r.error === undefined && r.status === 0;
}

function exportsOf(file: string, tool: string, args: string[]): string[] {
    const r = spawnSync(tool, [...args, file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
    return r.stdout.split("\n");
}

describe("libhcssim.so", () => {
    it("exports every computecore prototype, LocalFree, the simulator diagnostics and the simulated Winsock, and nothing else", () => {
        const lines = exportsOf(simulatorLibraryPath("linux"), "nm", ["-D", "--defined-only"]);
        const names = lines.map((l) => /\sT\s(\S+)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined).sort();
        const expected = [...COMPUTECORE_PROTOTYPES.map(prototypeName), "LocalFree", ...SIM_ONLY, ...SIMULATED_WINSOCK].sort();
        expect(names).toEqual(expected);
    });
});

const mingw = process.env.MINGW_CC || "x86_64-w64-mingw32-gcc";
const describeMingw = has(mingw) ? describe : describe.skip;

describeMingw("computecore.dll (mingw-w64)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcssim-mingw-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compiles with -Werror against <windows.h>, <computecore.h> and <winsock2.h> and exports the prototypes without LocalFree", () => {
        const dll = path.join(dir, "computecore.dll");
        const r = spawnSync(mingw, ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-o", dll, source, path.join(native, "computecore.def"), "-lws2_32", "-static-libgcc"], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const objdump = mingw.replace(/gcc$/, "objdump");
        const table = exportsOf(dll, objdump, ["-p"]);
        const start = table.findIndex((l) => l.includes("[Ordinal/Name Pointer] Table"));
        const names = table.slice(start + 1).map((l) => /^\s*\[\s*\d+\]\s+(\S+)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined).sort();
        expect(names).toEqual([...COMPUTECORE_PROTOTYPES.map(prototypeName), ...SIM_ONLY, ...SIMULATED_WINSOCK].sort());
    });

    it("is a type error when a definition drifts from the header", () => {
        const drifted = fs.readFileSync(source, "utf8").replace(
            "HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, PWSTR *resultDocument)",
            "HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, char **resultDocument)",
        );
        const file = path.join(dir, "drifted.c");
        fs.writeFileSync(file, drifted);
        const r = spawnSync(mingw, ["-std=c11", "-fsyntax-only", file], { encoding: "utf8" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/conflicting types for .HcsWaitForOperationResult./);
    });

    it("is a compile error when a simulated Winsock function's type drifts from Winsock's", () => {
        const drifted = fs.readFileSync(source, "utf8").replace(
            "SIM_EXPORT int WINAPI HcsSimHv_listen(SOCKET s, int backlog)",
            "SIM_EXPORT int WINAPI HcsSimHv_listen(SOCKET s, long long backlog)",
        );
        const file = path.join(dir, "drifted-winsock.c");
        fs.writeFileSync(file, drifted);
        const r = spawnSync(mingw, ["-std=c11", "-fsyntax-only", file], { encoding: "utf8" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("HcsSimHv_listen differs from listen");
    });
});
