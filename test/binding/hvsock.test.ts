/**
 * Hyper-V sockets through koffi, against the simulator's Winsock-shaped exports (HcsSimHv_*): a
 * listener bound to (VM ID, service ID) registers with the simulated host, a dialer reaches it,
 * bytes cross both ways, waits never block the event loop, and closing leaves nothing registered.
 * On Windows (under Wine) the same code runs on the simulator DLL, whose listeners are TCP.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import { hvSockets, type HvSocketConnection, type HvSockets } from "../../provider/src/hvsock/hv-socket";
import { WinsockError } from "../../provider/src/hvsock/winsock-error";
import { AF_HYPERV, HV_PROTOCOL_RAW, INVALID_SOCKET, SOCK_STREAM } from "../../provider/src/hvsock/winsock-prototypes";
import { eventually, startTestHost, type TestHost } from "../support/simulated-host";

const GCS_SERVICE = "acef5661-84a1-4e44-856b-6245e69f4620";

let host: TestHost;
let sockets: HvSockets;

beforeAll(async () => {
    host = await startTestHost();
    sockets = hvSockets(host.sim.libraryPath);
});

afterAll(async () => {
    await host?.stop();
});

/** Where the simulated host says the listener of (vmId, serviceId) is. */
async function registered(vmId: string): Promise<{ address: string; pid: number | null }[]> {
    const state = await host.sim.control.state();
    return state.hvSockets.filter((b) => b.vmId === vmId).map(({ address, pid }) => ({ address, pid }));
}

/** Dials a listener as the simulated guest does: a Unix socket path or TCP on 127.0.0.1. */
function dial(address: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = address.startsWith("unix:")
            ? net.createConnection({ path: address.slice(5) })
            : net.createConnection({ host: "127.0.0.1", port: Number(address.slice(address.lastIndexOf(":") + 1)) });
        socket.once("connect", () => resolve(socket));
        socket.once("error", reject);
    });
}

describe("simulated Hyper-V sockets", () => {
    it("a listener registers its VM ID and service ID with the simulated host, and closing it unregisters", async () => {
        const vmId = randomUUID();
        const listener = sockets.listen({ vmId, serviceId: GCS_SERVICE });
        const [binding] = await registered(vmId);
        expect(binding?.pid).toBe(process.pid);
        expect(binding?.address).toMatch(/^(unix:.*\.sock|tcp:127\.0\.0\.1:\d+)$/);
        listener.close();
        await eventually(async () => expect(await registered(vmId)).toEqual([]));
        if (binding!.address.startsWith("unix:")) expect(fs.existsSync(binding!.address.slice(5))).toBe(false);
    });

    it("accepts a connection and carries bytes both ways", async () => {
        const vmId = randomUUID();
        const listener = sockets.listen({ vmId, serviceId: GCS_SERVICE });
        const [{ address }] = (await registered(vmId)) as unknown as [{ address: string }];
        const accepting = listener.accept();
        const peer = await dial(address);
        const connection: HvSocketConnection = await accepting;
        listener.close();
        try {
            const fromPeer = connection.read();
            peer.write("hello from the guest");
            expect((await fromPeer)?.toString()).toBe("hello from the guest");
            const received = new Promise<string>((resolve) => peer.once("data", (d: Buffer) => resolve(d.toString())));
            await connection.write(Buffer.from("hello from the host"));
            expect(await received).toBe("hello from the host");
            const big = Buffer.alloc(3 * 1024 * 1024, 7);
            let total = 0;
            peer.on("data", (d: Buffer) => (total += d.length));
            await connection.write(big);
            await eventually(() => expect(total).toBe(big.length));
            peer.end();
            expect(await connection.read()).toBeNull();
        } finally {
            connection.close();
            peer.destroy();
        }
    });

    it("keeps the event loop free while accept waits, and stops waiting when its signal aborts", async () => {
        const vmId = randomUUID();
        const listener = sockets.listen({ vmId, serviceId: GCS_SERVICE });
        const controller = new AbortController();
        let turns = 0;
        const ticking = setInterval(() => turns++, 5);
        const waiting = listener.accept(controller.signal).catch((e: unknown) => e);
        await eventually(() => expect(turns).toBeGreaterThanOrEqual(3));
        const reason = new Error("gave up waiting");
        controller.abort(reason);
        expect(await waiting).toBe(reason);
        clearInterval(ticking);
        listener.close();
    });

    it("closing a connection ends its pending read with null", async () => {
        const vmId = randomUUID();
        const listener = sockets.listen({ vmId, serviceId: GCS_SERVICE });
        const [{ address }] = (await registered(vmId)) as unknown as [{ address: string }];
        const accepting = listener.accept();
        const peer = await dial(address);
        const connection = await accepting;
        listener.close();
        const reading = connection.read();
        connection.close();
        expect(await reading).toBeNull();
        peer.destroy();
    });

    it("refuses a second listener on the same VM ID and service ID with WSAEADDRINUSE", async () => {
        const vmId = randomUUID();
        const first = sockets.listen({ vmId, serviceId: GCS_SERVICE });
        try {
            const error = (() => {
                try {
                    sockets.listen({ vmId, serviceId: GCS_SERVICE });
                } catch (e) {
                    return e as WinsockError;
                }
                throw new Error("the second listen succeeded");
            })();
            expect(error).toBeInstanceOf(WinsockError);
            expect(error.codeName).toBe("WSAEADDRINUSE");
            expect(error.message).toContain(`bind failed: WSAEADDRINUSE (10048)`);
            expect(error.message).toContain(vmId);
        } finally {
            first.close();
        }
        // The pair is free again once its holder closed.
        sockets.listen({ vmId, serviceId: GCS_SERVICE }).close();
    });

    it("refuses other address families, socket types and protocols with Winsock's codes", () => {
        const ws = sockets.winsock;
        const cases: [number, number, number, number][] = [
            [2 /* AF_INET */, SOCK_STREAM, HV_PROTOCOL_RAW, 10047],
            [AF_HYPERV, 2 /* SOCK_DGRAM */, HV_PROTOCOL_RAW, 10044],
            [AF_HYPERV, SOCK_STREAM, 6 /* IPPROTO_TCP */, 10043],
        ];
        for (const [af, type, protocol, code] of cases) {
            expect(BigInt(ws.socket(af, type, protocol))).toBe(INVALID_SOCKET);
            expect(ws.WSAGetLastError()).toBe(code);
        }
        expect(ws.closesocket(123456)).toBe(-1);
        expect(ws.WSAGetLastError()).toBe(10038); // WSAENOTSOCK
    });

    it("refuses an address that is not a GUID before calling Winsock", () => {
        expect(() => sockets.listen({ vmId: "not-a-guid", serviceId: GCS_SERVICE })).toThrow(
            "Cannot use 'not-a-guid' as a Hyper-V socket address: not a GUID");
    });
});
