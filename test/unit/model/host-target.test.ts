import { formatHostTarget, parseHostTarget } from "../../../provider/src/model/host-target";

describe("parseHostTarget()", () => {
    test("accepts local", () => {
        expect(parseHostTarget("local")).toEqual({ ok: true, target: { kind: "local" }, text: "local" });
    });

    test("accepts sim: with an absolute socket path and normalizes it", () => {
        expect(parseHostTarget("sim:/run/hcs.sock")).toEqual({ ok: true, target: { kind: "sim", socketPath: "/run/hcs.sock" }, text: "sim:/run/hcs.sock" });
        expect(parseHostTarget("sim:/run//x/../hcs.sock")).toMatchObject({ ok: true, text: "sim:/run/hcs.sock" });
        expect(parseHostTarget("sim:C:\\sim\\hcs.sock")).toMatchObject({ ok: true, text: "sim:C:\\sim\\hcs.sock" });
    });

    test("refuses sim: without a path", () => {
        expect(parseHostTarget("sim:")).toMatchObject({ ok: false, reason: expect.stringContaining("needs the simulator's socket path") });
    });

    test("refuses a relative socket path", () => {
        expect(parseHostTarget("sim:hcs.sock")).toMatchObject({ ok: false, reason: expect.stringContaining("is not absolute") });
    });

    test("recognizes grpcs:// and says remote agents are not supported yet", () => {
        expect(parseHostTarget("grpcs://build01:7443")).toMatchObject({
            ok: false,
            reason: expect.stringContaining("remote host agents are not supported yet"),
        });
    });

    test.each([["Local"], ["localhost"], ["ssh://x"], [""]])("refuses %p and lists the accepted forms", (text) => {
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining('"local" or "sim:<absolute socket path>"') });
    });

    test("refuses control characters", () => {
        expect(parseHostTarget("sim:/a\nb")).toMatchObject({ ok: false, reason: expect.stringContaining("control character") });
    });
});

describe("formatHostTarget()", () => {
    test("is the inverse of parseHostTarget()", () => {
        expect(formatHostTarget({ kind: "local" })).toBe("local");
        expect(formatHostTarget({ kind: "sim", socketPath: "/s" })).toBe("sim:/s");
    });
});
