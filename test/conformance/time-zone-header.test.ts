/**
 * The time zone the local host hands a starting VM's guest (host/windows-time-zone.ts): kernel32's
 * GetTimeZoneInformation as mingw-w64's <windows.h> declares it, and TIME_ZONE_INFORMATION laid out
 * by koffi as the header lays it out (size and every field's offset), compiled with -Werror.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import koffi from "koffi";
import { GET_TIME_ZONE_INFORMATION_PROTOTYPE, timeZoneInformationType } from "../../provider/src/host/windows-time-zone";

const MINGW_GCC = "x86_64-w64-mingw32-gcc";
const FIELDS = ["Bias", "StandardName", "StandardDate", "StandardBias", "DaylightName", "DaylightDate", "DaylightBias"];

function compile(source: string): { status: number | null; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tz-conformance-"));
    try {
        const file = path.join(dir, "check.c");
        fs.writeFileSync(file, source);
        const result = spawnSync(MINGW_GCC, ["-std=c11", "-Wall", "-Wextra", "-Werror", "-c", "-o", path.join(dir, "check.o"), file], { encoding: "utf8" });
        return { status: result.status, stderr: result.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("TIME_ZONE_INFORMATION against mingw-w64's <windows.h>", () => {
    it("has the header's size and offsets, and GetTimeZoneInformation the header's type", () => {
        const type = timeZoneInformationType();
        const prototype = GET_TIME_ZONE_INFORMATION_PROTOTYPE.match(/^(\w+) WINAPI (\w+)\((.*)\)$/)!;
        const source = [
            "#include <windows.h>",
            "#include <stddef.h>",
            `_Static_assert(sizeof(TIME_ZONE_INFORMATION) == ${koffi.sizeof(type)}, "size");`,
            ...FIELDS.map((f) => `_Static_assert(offsetof(TIME_ZONE_INFORMATION, ${f}) == ${koffi.offsetof(type, f)}, "${f}");`),
            `typedef ${prototype[1]} (WINAPI *check_t)(${prototype[3]});`,
            `static check_t check __attribute__((used)) = ${prototype[2]};`,
            "",
        ].join("\n");
        const result = compile(source);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    it("fails to compile a wrong offset (the check can fail)", () => {
        const result = compile(["#include <windows.h>", "#include <stddef.h>", "_Static_assert(offsetof(TIME_ZONE_INFORMATION, StandardDate) == 4, \"StandardDate\");", ""].join("\n"));
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("StandardDate");
    });
});
