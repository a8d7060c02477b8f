/**
 * A minimal client of the simulator service that speaks its wire protocol (provider/sim/service/
 * protocol.ts) from Node directly: no native library, no koffi. The bench compares the HCS calls the
 * provider makes through koffi and libhcssim with the same calls made this way, which is what the
 * service itself costs.
 *
 * Only what the comparison needs: the hello, open, property queries, service properties. Requests
 * are matched to replies by request ID, so several may be in flight on the one connection.
 */
import net from "node:net";
import { encodeFrame, Fn, FrameKind, FrameReader, PROTOCOL_VERSION, type Frame } from "../../provider/dist/sim/service/protocol";

/** `GENERIC_ALL`: the only access HcsOpenComputeSystem accepts. */
const GENERIC_ALL = 0x10000000;

export interface WireReply {
    readonly hr: number;
    readonly document: string | null;
}

export class WireClient {
    private readonly pending = new Map<number, (reply: WireReply) => void>();
    private nextRequest = 1;
    private nextHandle = 1;

    private constructor(private readonly socket: net.Socket) {
        const reader = new FrameReader();
        socket.on("data", (chunk: Buffer) => {
            for (const frame of reader.push(chunk)) this.onFrame(frame);
        });
    }

    /**
     * Connects to a service's Unix socket and says hello.
     * @throws Error when the socket cannot be reached or the service refuses the hello.
     */
    static async connect(socketPath: string): Promise<WireClient> {
        const socket = net.createConnection(socketPath);
        socket.setNoDelay(true);
        await new Promise<void>((resolve, reject) => {
            socket.once("connect", resolve);
            socket.once("error", reject);
        });
        const client = new WireClient(socket);
        const hello = await client.send({
            kind: FrameKind.Hello, fn: 0, reqId: 0, handle: 0, hr: 0, arg: PROTOCOL_VERSION,
            strings: [null, JSON.stringify({ protocol: PROTOCOL_VERSION, pid: process.pid, platform: "linux", library: "bench-wire-client" })],
        });
        if (hello.hr < 0) throw new Error(`the simulator refused the hello: ${hello.document ?? ""}`);
        return client;
    }

    /** HcsOpenComputeSystem: resolves to the handle ID. @throws Error with the HRESULT on failure. */
    async open(id: string): Promise<number> {
        const handle = this.nextHandle++;
        const reply = await this.request(Fn.Open, handle, GENERIC_ALL, [id]);
        if (reply.hr < 0) throw new Error(`HcsOpenComputeSystem('${id}') failed: 0x${(reply.hr >>> 0).toString(16)} ${reply.document ?? ""}`);
        return handle;
    }

    /** HcsGetComputeSystemProperties on an open handle: the raw reply. */
    properties(handle: number, query: string | null): Promise<WireReply> {
        return this.request(Fn.GetProperties, handle, 0, [query]);
    }

    /** HcsGetServiceProperties: the raw reply. */
    serviceProperties(query: string): Promise<WireReply> {
        return this.request(Fn.GetServiceProperties, 0, 0, [query]);
    }

    close(): void {
        this.socket.destroy();
    }

    private request(fn: Fn, handle: number, arg: number, strings: (string | null)[]): Promise<WireReply> {
        return this.send({ kind: FrameKind.Request, fn, reqId: this.nextRequest++, handle, hr: 0, arg, strings });
    }

    private send(frame: Frame): Promise<WireReply> {
        return new Promise((resolve) => {
            this.pending.set(frame.reqId, resolve);
            this.socket.write(encodeFrame(frame));
        });
    }

    private onFrame(frame: Frame): void {
        if (frame.kind !== FrameKind.Reply) return; // events: none are asked for
        const resolve = this.pending.get(frame.reqId);
        if (!resolve) return;
        this.pending.delete(frame.reqId);
        resolve({ hr: frame.hr, document: frame.strings[0] ?? null });
    }
}
