/**
 * The socket side of the simulator: accepts native-library connections (Unix socket, and TCP with a
 * per-run secret), checks the hello frame, and turns each request frame into a ComputeService call,
 * with fault injection around it. One connection is one client process; its handles close with it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import type { Logger } from "../../src/log/logger";
import { ComputeService, type ClientConnection, type SystemHandle } from "./compute-service";
import { Faults } from "./faults";
import type { HvSocketNamespace } from "./hv-socket-namespace";
import { HcsFailure, HR, hrHex } from "./hresults";
import { encodeFrame, FrameKind, FrameReader, Fn, FUNCTION_NAMES, PROTOCOL_VERSION, type Frame } from "./protocol";

const GENERIC_ALL = 0x10000000;

export interface ServerOptions {
    readonly socketPath: string;
    /** `{host:"127.0.0.1", port}`; port 0 picks a free one. */
    readonly tcp?: { readonly host: string; readonly port: number };
    /** Required from TCP clients in their hello frame. */
    readonly secret?: string;
    readonly service: ComputeService;
    /** The Hyper-V sockets clients bind (HcsSimHv_bind), which simulated guests dial. */
    readonly hvSockets: HvSocketNamespace;
    readonly faults: Faults;
    readonly log: Logger;
    /** Kills the process abruptly (fault crash). */
    readonly crash: () => void;
}

interface Connection extends ClientConnection {
    pid: number | undefined;
    closed: boolean;
    helloDone: boolean;
    readonly socket: net.Socket;
}

export interface ConnectionInfo {
    readonly id: number;
    readonly pid: number | null;
    readonly transport: "unix" | "tcp";
    readonly handles: { id: number; system: string | null; callback: boolean }[];
}

function digest(s: string): Buffer {
    return createHash("sha256").update(s, "utf8").digest();
}

export class SimServer {
    private readonly opts: ServerOptions;
    private readonly connections = new Set<Connection>();
    /** Frames waiting for the host state they reflect to be written (see `write`). */
    private readonly outbox: { readonly conn: Connection; readonly bytes: Buffer }[] = [];
    private readonly servers: net.Server[] = [];
    private nextConnId = 1;
    tcpAddress: string | null = null;

    constructor(opts: ServerOptions) {
        this.opts = opts;
    }

    /** Listens on the Unix socket (and TCP when asked); resolves once both accept connections. */
    async listen(): Promise<void> {
        const unix = net.createServer((s) => this.accept(s, "unix"));
        await new Promise<void>((resolve, reject) => {
            unix.once("error", reject);
            unix.listen(this.opts.socketPath, () => resolve());
        });
        fs.chmodSync(this.opts.socketPath, 0o600);
        this.servers.push(unix);
        if (this.opts.tcp) {
            const tcp = net.createServer({ noDelay: true }, (s) => this.accept(s, "tcp"));
            await new Promise<void>((resolve, reject) => {
                tcp.once("error", reject);
                tcp.listen(this.opts.tcp!.port, this.opts.tcp!.host, () => resolve());
            });
            const addr = tcp.address() as net.AddressInfo;
            this.tcpAddress = `${addr.address}:${addr.port}`;
            this.servers.push(tcp);
        }
    }

    async close(): Promise<void> {
        this.opts.service.flush();
        for (const c of this.connections) c.socket.destroy();
        await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }

    connectionInfo(): ConnectionInfo[] {
        return [...this.connections].map((c) => ({
            id: c.id,
            pid: c.pid ?? null,
            transport: c.transport,
            handles: [...c.handles.values()].map((h) => ({ id: h.id, system: h.system?.id ?? null, callback: h.callback })),
        }));
    }

    private accept(socket: net.Socket, transport: "unix" | "tcp"): void {
        socket.setNoDelay(true);
        const conn: Connection = {
            id: this.nextConnId++,
            pid: undefined,
            transport,
            handles: new Map(),
            closed: false,
            helloDone: false,
            socket,
            sendEvent: (handleId, type, data) => this.write(conn, { kind: FrameKind.Event, fn: 0, reqId: 0, handle: handleId, hr: 0, arg: type, strings: [data] }),
        };
        this.connections.add(conn);
        const reader = new FrameReader();
        socket.on("data", (chunk: Buffer) => {
            let frames: Frame[];
            try {
                frames = reader.push(chunk);
            } catch (err) {
                this.opts.log.warn({ conn: conn.id, err: (err as Error).message }, "dropping a client that sent a malformed frame");
                socket.destroy();
                return;
            }
            for (const frame of frames) this.onFrame(conn, frame);
        });
        socket.on("error", () => socket.destroy());
        socket.on("close", () => {
            if (conn.closed) return;
            conn.closed = true;
            this.connections.delete(conn);
            const handles = conn.handles.size;
            this.opts.service.connectionClosed(conn);
            this.opts.hvSockets.connectionClosed(conn);
            if (conn.helloDone) this.opts.log.debug({ conn: conn.id, clientPid: conn.pid, handles }, "client disconnected; its handles closed");
        });
    }

    /**
     * Sends a frame once the host state it reflects is on disk. While the service has unsaved
     * changes, frames wait (in order) for the end of this turn of the event loop; then one write of
     * state.json covers every call handled meanwhile, and the frames leave.
     */
    private write(conn: Connection, frame: Frame): void {
        if (conn.closed || conn.socket.destroyed) return;
        if (this.outbox.length === 0 && !this.opts.service.hasUnsavedChanges) {
            conn.socket.write(encodeFrame(frame));
            return;
        }
        this.outbox.push({ conn, bytes: encodeFrame(frame) });
        if (this.outbox.length === 1) setImmediate(() => this.flushOutbox());
    }

    private flushOutbox(): void {
        this.opts.service.flush();
        for (const { conn, bytes } of this.outbox.splice(0)) {
            if (!conn.closed && !conn.socket.destroyed) conn.socket.write(bytes);
        }
    }

    private reply(conn: Connection, reqId: number, hr: number, doc: string | null): void {
        this.write(conn, { kind: FrameKind.Reply, fn: 0, reqId, handle: 0, hr, arg: 0, strings: [doc] });
    }

    private onFrame(conn: Connection, frame: Frame): void {
        if (!conn.helloDone) {
            this.hello(conn, frame);
            return;
        }
        if (frame.kind !== FrameKind.Request) {
            this.opts.log.warn({ conn: conn.id, kind: frame.kind }, "dropping a client that sent an unexpected frame kind");
            conn.socket.destroy();
            return;
        }
        void this.dispatch(conn, frame);
    }

    private hello(conn: Connection, frame: Frame): void {
        const refuse = (hr: number, why: string) => {
            this.opts.log.warn({ conn: conn.id, transport: conn.transport, hr: hrHex(hr) }, `refused a client: ${why}`);
            // Straight out, not through the outbox: a hello's answer says nothing about the host.
            conn.socket.end(encodeFrame({ kind: FrameKind.Reply, fn: 0, reqId: 0, handle: 0, hr, arg: 0, strings: [why] }));
        };
        if (frame.kind !== FrameKind.Hello) return refuse(HR.HCS_E_UNSUPPORTED_PROTOCOL_VERSION, "the first frame must be a hello frame");
        if (frame.arg !== PROTOCOL_VERSION) {
            return refuse(HR.HCS_E_UNSUPPORTED_PROTOCOL_VERSION,
                `protocol version ${frame.arg} is not supported (this service speaks ${PROTOCOL_VERSION}); rebuild the simulator library`);
        }
        if (conn.transport === "tcp") {
            const given = frame.strings[0];
            const expected = this.opts.secret ?? "";
            // Constant-time: compare fixed-length digests so neither length nor content leaks.
            const ok = typeof given === "string" && expected !== "" && timingSafeEqual(digest(given), digest(expected));
            if (!ok) return refuse(HR.HCS_E_ACCESS_DENIED, "TCP clients must send the service's secret (set PULUMI_HCS_SIM_SECRET to the value `pulumi-hcs sim` printed)");
        }
        try {
            const info = JSON.parse(frame.strings[1] ?? "{}") as { pid?: unknown };
            conn.pid = typeof info.pid === "number" ? info.pid : undefined;
        } catch {
            conn.pid = undefined;
        }
        conn.helloDone = true;
        this.reply(conn, 0, HR.S_OK, JSON.stringify({ protocol: PROTOCOL_VERSION, pid: process.pid }));
        this.opts.log.debug({ conn: conn.id, clientPid: conn.pid, transport: conn.transport }, "client connected");
    }

    private async dispatch(conn: Connection, frame: Frame): Promise<void> {
        const { service, faults, log } = this.opts;
        const fn = frame.fn as Fn;
        const name = FUNCTION_NAMES[fn];
        const started = Date.now();
        if (name === undefined) {
            this.reply(conn, frame.reqId, HR.E_NOTIMPL, new HcsFailure(HR.E_NOTIMPL, `Unknown function code ${frame.fn}`).document());
            return;
        }
        // A create registers its handle before anything is awaited, so calls on that handle wait for it.
        let createHandle: SystemHandle | undefined;
        let settleCreate: (() => void) | undefined;
        if (fn === Fn.Create) {
            createHandle = service.newHandle(conn, frame.handle);
            createHandle.ready = new Promise<void>((r) => (settleCreate = r));
        }
        let hr: number = HR.S_OK;
        let doc: string | null = null;
        try {
            const index = faults.noteCall(name);
            if (faults.crashesOn(name)) {
                log.warn({ fn: name }, "fault injection: crashing the service");
                this.opts.crash();
            }
            await faults.delay(name);
            if (fn !== Fn.Create && fn !== Fn.Open && frame.handle !== 0) await conn.handles.get(frame.handle)?.ready;
            const injected = faults.failure(name, index);
            if (injected) throw injected;
            doc = this.execute(conn, fn, frame, createHandle);
        } catch (err) {
            if (err instanceof HcsFailure) {
                hr = err.hr;
                doc = err.document();
            } else {
                const failure = new HcsFailure(HR.E_FAIL, `The simulator failed handling ${name}: ${(err as Error).message}`);
                hr = failure.hr;
                doc = failure.document();
                log.error({ fn: name, err }, "internal error handling a call");
            }
        } finally {
            settleCreate?.();
        }
        this.reply(conn, frame.reqId, hr, doc);
        if (log.isLevelEnabled("debug")) {
            log.debug({ fn: name, conn: conn.id, handle: frame.handle || undefined, hr: hrHex(hr), ms: Date.now() - started, docBytes: doc?.length ?? 0 }, "call");
        }
    }

    private execute(conn: Connection, fn: Fn, frame: Frame, createHandle: SystemHandle | undefined): string | null {
        const service = this.opts.service;
        const [s0 = null, s1 = null] = frame.strings;
        const handle = () => service.handle(conn, frame.handle);
        switch (fn) {
            case Fn.Enumerate:
                return service.enumerate(s0);
            case Fn.Create:
                // The reference's tutorial: the result document of a successful create is empty.
                service.create(createHandle!, s0, s1);
                return null;
            case Fn.Open:
                if (frame.arg !== GENERIC_ALL) throw new HcsFailure(HR.E_INVALIDARG, "requestedAccess must be GENERIC_ALL (0x10000000)");
                service.open(conn, frame.handle, s0);
                return null;
            case Fn.Close:
                service.close(conn, frame.handle);
                return null;
            case Fn.Start:
                service.start(handle(), s0);
                return null;
            case Fn.ShutDown:
                service.shutDown(handle(), s0);
                return null;
            case Fn.Terminate:
                service.terminate(handle(), s0);
                return null;
            case Fn.Pause:
                service.pause(handle(), s0);
                return null;
            case Fn.Resume:
                service.resume(handle(), s0);
                return null;
            case Fn.GetProperties:
                return service.properties(handle(), s0);
            case Fn.Modify:
                service.modify(handle(), s0);
                return null;
            case Fn.SetCallback:
                service.setCallback(handle(), frame.arg);
                return null;
            case Fn.GetServiceProperties:
                return service.serviceProperties(s0);
            case Fn.GrantVmAccess:
                if (!s0) throw new HcsFailure(HR.E_INVALIDARG, "vmId is empty");
                service.grant(s0, s1);
                return null;
            case Fn.RevokeVmAccess:
                if (!s0) throw new HcsFailure(HR.E_INVALIDARG, "vmId is empty");
                service.revoke(s0, s1);
                return null;
            case Fn.GrantVmGroupAccess:
                service.grant(undefined, s1);
                return null;
            case Fn.RevokeVmGroupAccess:
                service.revoke(undefined, s1);
                return null;
            case Fn.HvSocketBind:
                return JSON.stringify({ address: this.opts.hvSockets.bind(conn, s0, s1, frame.strings[2] ?? null) });
            case Fn.HvSocketClose:
                this.opts.hvSockets.close(conn, s0, s1);
                return null;
        }
    }
}
