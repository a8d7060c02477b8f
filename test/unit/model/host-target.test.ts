import { formatHostTarget, parseHostTarget, simulatorAddressOf } from "../../../provider/src/model/host-target";

describe("parseHostTarget()", () => {
    test("accepts local", () => {
        expect(parseHostTarget("local")).toEqual({ ok: true, target: { kind: "local" }, text: "local" });
    });

    test("accepts sim: with an absolute socket path and normalizes it", () => {
        expect(parseHostTarget("sim:/run/hcs.sock")).toEqual({ ok: true, target: { kind: "sim", transport: "unix", socketPath: "/run/hcs.sock" }, text: "sim:/run/hcs.sock" });
        expect(parseHostTarget("sim:/run//x/../hcs.sock")).toMatchObject({ ok: true, text: "sim:/run/hcs.sock" });
        expect(parseHostTarget("sim:C:\\sim\\hcs.sock")).toMatchObject({ ok: true, text: "sim:C:\\sim\\hcs.sock" });
    });

    test("refuses sim: without a path", () => {
        expect(parseHostTarget("sim:")).toMatchObject({ ok: false, reason: expect.stringContaining("needs the simulator's socket path or tcp:127.0.0.1:<port>") });
    });

    test("accepts sim:tcp:127.0.0.1:<port> and normalizes the port", () => {
        expect(parseHostTarget("sim:tcp:127.0.0.1:40123")).toEqual({
            ok: true,
            target: { kind: "sim", transport: "tcp", host: "127.0.0.1", port: 40123 },
            text: "sim:tcp:127.0.0.1:40123",
        });
        expect(parseHostTarget("sim:tcp:127.0.0.1:0080")).toMatchObject({ ok: true, text: "sim:tcp:127.0.0.1:80" });
    });

    test.each([
        ["sim:tcp:", "is not 127.0.0.1:<port>"],
        ["sim:tcp:localhost:40123", "is not 127.0.0.1:<port>"],
        ["sim:tcp:127.0.0.1", "is not 127.0.0.1:<port>"],
        ["sim:tcp:127.0.0.1:port", "is not 127.0.0.1:<port>"],
        ["sim:tcp:10.0.0.5:40123", "the simulator listens on the loopback address only"],
        ["sim:tcp:127.0.0.1:0", "must be from 1 to 65535, got 0"],
        ["sim:tcp:127.0.0.1:70000", "must be from 1 to 65535, got 70000"],
    ])("refuses %p, saying why", (text, reason) => {
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
    });

    test("refuses a relative socket path", () => {
        expect(parseHostTarget("sim:hcs.sock")).toMatchObject({ ok: false, reason: expect.stringContaining("is not absolute") });
    });

    test("parses a host agent: grpcs://<name>:<port>, the name lower-cased", () => {
        expect(parseHostTarget("grpcs://Build01:7443")).toEqual({ ok: true, target: { kind: "agent", hostname: "build01", port: 7443 }, text: "grpcs://build01:7443" });
        expect(parseHostTarget("grpcs://10.0.0.5:07443/")).toEqual({ ok: true, target: { kind: "agent", hostname: "10.0.0.5", port: 7443 }, text: "grpcs://10.0.0.5:7443" });
    });

    test.each([
        ["grpc://build01:7443", "agents refuse"],
        ["grpcs://build01", "is not <name>:<port>"],
        ["grpcs://build01:0", "must be from 1 to 65535"],
        ["grpcs://user@build01:7443", "is not <name>:<port>"],
        ["grpcs://-bad:7443", "is not <name>:<port>"],
    ])("refuses the agent address %p, saying why", (text, reason) => {
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
    });

    test.each([["Local"], ["localhost"], ["ssh://x"], [""]])("refuses %p and lists the accepted forms", (text) => {
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining('"local", "sim:<absolute socket path>"') });
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining('"sim:tcp:127.0.0.1:<port>"') });
        expect(parseHostTarget(text)).toMatchObject({ ok: false, reason: expect.stringContaining('or "grpcs://<name>:<port>" (a host agent)') });
    });

    test("refuses control characters", () => {
        expect(parseHostTarget("sim:/a\nb")).toMatchObject({ ok: false, reason: expect.stringContaining("control character") });
    });
});

describe("formatHostTarget()", () => {
    test("is the inverse of parseHostTarget()", () => {
        expect(formatHostTarget({ kind: "local" })).toBe("local");
        expect(formatHostTarget({ kind: "sim", transport: "unix", socketPath: "/s" })).toBe("sim:/s");
        expect(formatHostTarget({ kind: "sim", transport: "tcp", host: "127.0.0.1", port: 40123 })).toBe("sim:tcp:127.0.0.1:40123");
        for (const text of ["local", "sim:/run/hcs.sock", "sim:tcp:127.0.0.1:40123"]) {
            const parsed = parseHostTarget(text);
            expect(parsed.ok && formatHostTarget(parsed.target)).toBe(text);
        }
    });
});

describe("simulatorAddressOf()", () => {
    test("is the socket path, or tcp:127.0.0.1:<port>, as the simulator's library takes it", () => {
        expect(simulatorAddressOf({ kind: "sim", transport: "unix", socketPath: "/run/hcs.sock" })).toBe("/run/hcs.sock");
        expect(simulatorAddressOf({ kind: "sim", transport: "tcp", host: "127.0.0.1", port: 40123 })).toBe("tcp:127.0.0.1:40123");
    });
});
