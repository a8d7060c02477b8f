// The wire protocol, spoken directly (no native library), over both transports; and the TCP secret
// through the library.
import { spawnSync } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { decodeBody, encodeFrame, FrameKind, FrameReader, Fn, PROTOCOL_VERSION, type Frame } from "../../provider/sim/service/protocol";
import { hcsLib, hex, HR, libraryStats, serviceProperties } from "./helpers/hcs-lib";
import { connectTo, newId, prepareVmFiles, scratchPath, stopSimulator, useSimulator } from "./helpers/fixtures";

describe("frames", () => {
    it("encode and decode round-trip, keeping NULL and empty strings apart", () => {
        const frame: Frame = { kind: FrameKind.Request, fn: Fn.Create, reqId: 0xfffffffe, handle: 7, hr: HR.HCS_E_INVALID_JSON, arg: 0x10000000, strings: [null, "", "héllo 😀"] };
        const bytes = encodeFrame(frame);
        expect(bytes.readUInt32LE(0)).toBe(bytes.length - 4);
        expect(decodeBody(bytes.subarray(4))).toEqual(frame);
    });

    it("FrameReader reassembles frames split at any byte", () => {
        const frames: Frame[] = [
            { kind: FrameKind.Reply, fn: 0, reqId: 1, handle: 0, hr: 0, arg: 0, strings: ["a".repeat(1000)] },
            { kind: FrameKind.Event, fn: 0, reqId: 0, handle: 3, hr: 0, arg: 1, strings: [null] },
        ];
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const reader = new FrameReader();
        const out: Frame[] = [];
        for (let i = 0; i < bytes.length; i++) out.push(...reader.push(bytes.subarray(i, i + 1)));
        expect(out).toEqual(frames);
    });

    it("FrameReader rejects an impossible length", () => {
        const bad = Buffer.alloc(8);
        bad.writeUInt32LE(3, 0);
        expect(() => new FrameReader().push(bad)).toThrow(RangeError);
    });
});

/** A raw protocol client: sends frames, collects the answers. */
class RawClient {
    readonly frames: Frame[] = [];
    closed = false;
    private readonly reader = new FrameReader();
    private constructor(readonly socket: net.Socket) {
        socket.on("data", (c: Buffer) => this.frames.push(...this.reader.push(c)));
        socket.on("close", () => (this.closed = true));
        socket.on("error", () => undefined);
    }

    static connect(options: net.NetConnectOpts): Promise<RawClient> {
        return new Promise((resolve, reject) => {
            const s = net.createConnection(options, () => resolve(new RawClient(s)));
            s.once("error", reject);
        });
    }

    send(frame: Partial<Frame> & { kind: FrameKind }): void {
        this.socket.write(encodeFrame({ fn: 0, reqId: 0, handle: 0, hr: 0, arg: 0, strings: [], ...frame }));
    }

    async next(timeoutMs = 3000): Promise<Frame> {
        const deadline = Date.now() + timeoutMs;
        while (this.frames.length === 0) {
            if (Date.now() > deadline) throw new Error("no frame arrived");
            if (this.closed) throw new Error("the connection closed");
            await new Promise((r) => setTimeout(r, 5));
        }
        return this.frames.shift()!;
    }

    async waitClosed(timeoutMs = 3000): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        return this.closed;
    }
}

describe("the service, spoken to directly", () => {
    let sim: RunningSimulator;
    let tcp: { host: string; port: number };

    beforeAll(async () => {
        sim = await useSimulator({ tcp: true });
        const [host, port] = sim.ready.tcp!.split(":");
        tcp = { host: host!, port: Number(port) };
    });

    afterAll(async () => {
        await stopSimulator(sim);
    });

    const hello = (secret: string | null = null, version = PROTOCOL_VERSION) =>
        ({ kind: FrameKind.Hello, arg: version, strings: [secret, JSON.stringify({ pid: 1, protocol: version })] });

    it("answers a request after the hello, over the Unix socket, without a secret", async () => {
        const c = await RawClient.connect({ path: sim.ready.socket });
        c.send(hello());
        expect((await c.next()).hr).toBe(0);
        c.send({ kind: FrameKind.Request, fn: Fn.GetServiceProperties, reqId: 42, strings: ['{"PropertyTypes":["Basic"]}'] });
        const reply = await c.next();
        expect(reply).toMatchObject({ kind: FrameKind.Reply, reqId: 42, hr: 0 });
        expect(JSON.parse(reply.strings[0]!)).toEqual({ Properties: [{ SupportedSchemaVersions: [{ Major: 2, Minor: 5 }] }] });
        c.send({ kind: FrameKind.Request, fn: 99, reqId: 43 });
        expect(hex((await c.next()).hr)).toBe(hex(0x80004001));
        c.socket.destroy();
    });

    it("drops a client whose first frame is not a hello, and refuses another protocol version", async () => {
        const a = await RawClient.connect({ path: sim.ready.socket });
        a.send({ kind: FrameKind.Request, fn: Fn.GetServiceProperties, reqId: 1 });
        expect(hex((await a.next()).hr)).toBe(hex(0x8037010c));
        expect(await a.waitClosed()).toBe(true);
        const b = await RawClient.connect({ path: sim.ready.socket });
        b.send(hello(null, PROTOCOL_VERSION + 1));
        const refusal = await b.next();
        expect(hex(refusal.hr)).toBe(hex(0x8037010c));
        expect(refusal.strings[0]).toContain("protocol version");
        expect(await b.waitClosed()).toBe(true);
    });

    it("over TCP, accepts the right secret and refuses a wrong or missing one", async () => {
        const good = await RawClient.connect(tcp);
        good.send(hello(sim.secret!));
        expect((await good.next()).hr).toBe(0);
        good.socket.destroy();
        for (const secret of ["wrong", null, `${sim.secret!}x`]) {
            const bad = await RawClient.connect(tcp);
            bad.send(hello(secret));
            const refusal = await bad.next();
            expect(hex(refusal.hr)).toBe(hex(HR.HCS_E_ACCESS_DENIED));
            expect(refusal.strings[0]).toContain("PULUMI_HCS_SIM_SECRET");
            expect(await bad.waitClosed()).toBe(true);
        }
    });

    it("the library connects over TCP with the secret, and fails with HCS_E_ACCESS_DENIED without it", () => {
        const lib = hcsLib();
        connectTo(sim);
        expect(sim.address).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
        expect(serviceProperties({ PropertyTypes: ["Basic"] }).hr).toBe(0);
        lib.HcsSimSetServiceAddress(sim.address, "not-the-secret");
        lib.HcsSimResetConnection();
        const r = serviceProperties({ PropertyTypes: ["Basic"] });
        expect(hex(r.hr)).toBe(hex(HR.HCS_E_ACCESS_DENIED));
        expect(libraryStats().lastError).toContain("refused the connection");
        lib.HcsSimSetServiceAddress(sim.address, null);
        expect(hex(serviceProperties(null).hr)).toBe(hex(HR.HCS_E_ACCESS_DENIED));
        connectTo(sim);
        expect(serviceProperties(null).hr).toBe(0);
    });

    it("a client process reads PULUMI_HCS_SIM and PULUMI_HCS_SIM_SECRET from its environment (TCP)", () => {
        const id = newId("tcp");
        prepareVmFiles(sim.root, id, { grant: false });
        const run = (env: Record<string, string>) => spawnSync(process.execPath, [
            path.join(__dirname, "fixtures", "create-and-exit.js"), sim.libraryPath, id, scratchPath(id), "true",
        ], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 20000 });
        const denied = run({ PULUMI_HCS_SIM: sim.address, PULUMI_HCS_SIM_SECRET: "nope" });
        expect(denied.status).toBe(3);
        expect(denied.stderr).toContain("0x8037011b");
        const ok = run(sim.env);
        expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
    });

    it("an unreachable or malformed address is HCS_E_SERVICE_NOT_AVAILABLE with a reason", () => {
        const lib = hcsLib();
        for (const [address, why] of [
            ["unix:/nonexistent/hcs.sock", "cannot connect"],
            ["relative/path", "neither unix:"],
            ["tcp:localhost:1", "not a numeric IPv4"],
            ["tcp:127.0.0.1:notaport", "is not tcp:"],
        ] as const) {
            lib.HcsSimSetServiceAddress(address, null);
            lib.HcsSimResetConnection();
            const r = serviceProperties(null);
            expect(hex(r.hr)).toBe(hex(HR.HCS_E_SERVICE_NOT_AVAILABLE));
            expect(JSON.parse(r.doc!).ErrorMessage).toContain(why);
        }
        connectTo(sim);
    });
});
