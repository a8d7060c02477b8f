import type { BridgeTransport } from "../gcs/bridge";
import { SocketPoller } from "./socket-poller";
import { WinsockError, WSAECONNABORTED, WSAEWOULDBLOCK } from "./winsock-error";
import {
    AF_HYPERV, FIONBIO, HV_PROTOCOL_RAW, INVALID_SOCKET, SOCK_STREAM, SOCKET_ERROR, SOMAXCONN,
} from "./winsock-prototypes";
import { sockaddrHv } from "./winsock-types";
import { bindWinsock, type Socket, type Winsock } from "./winsock";

/** A Hyper-V socket address: a VM (partition) GUID and a service GUID. */
export interface HvSocketAddress {
    readonly vmId: string;
    readonly serviceId: string;
}

/** How much one recv asks for: hcsshim's largest bridge message. */
const RECEIVE_BYTES = 0x10000;

/** Hyper-V sockets of one host: Winsock (or the simulator's) and the poller its waits share. */
export class HvSockets {
    private readonly poller: SocketPoller;

    constructor(readonly winsock: Winsock) {
        this.poller = new SocketPoller(winsock);
    }

    /**
     * go-winio's `ListenHvsock`: an AF_HYPERV stream socket bound to `address` and listening. The
     * listener is in this process: it ends with the process, and so does every connection it accepts.
     * @throws WinsockError naming the failed call (WSAEAFNOSUPPORT where Hyper-V sockets do not exist).
     */
    listen(address: HvSocketAddress): HvSocketListener {
        const ws = this.winsock;
        const socket = ws.socket(AF_HYPERV, SOCK_STREAM, HV_PROTOCOL_RAW);
        if (BigInt(socket) === INVALID_SOCKET) throw new WinsockError("socket(AF_HYPERV)", ws.WSAGetLastError());
        try {
            const name = sockaddrHv(ws.types, address.vmId, address.serviceId);
            check(ws, "bind", ws.bind(socket, name, name.length), `VM ${address.vmId}, service ${address.serviceId}`);
            check(ws, "listen", ws.listen(socket, SOMAXCONN));
            check(ws, "ioctlsocket(FIONBIO)", ws.ioctlsocket(socket, FIONBIO, [1]));
        } catch (err) {
            ws.closesocket(socket);
            throw err;
        }
        return new HvSocketListener(this, socket, address);
    }

    /** @internal the poller shared by this host's sockets. */
    get sharedPoller(): SocketPoller {
        return this.poller;
    }
}

const hosts = new Map<string, HvSockets>();

/**
 * The Hyper-V sockets of this machine (ws2_32.dll), or of the simulated host whose library is
 * `simulatorLibrary`; one per library and process.
 */
export function hvSockets(simulatorLibrary?: string): HvSockets {
    const winsock = bindWinsock(simulatorLibrary);
    let sockets = hosts.get(winsock.libraryPath);
    if (!sockets) {
        sockets = new HvSockets(winsock);
        hosts.set(winsock.libraryPath, sockets);
    }
    return sockets;
}

/** A listening Hyper-V socket. Exactly one owner closes it. */
export class HvSocketListener {
    private closed = false;

    constructor(private readonly sockets: HvSockets, private readonly socket: Socket, readonly address: HvSocketAddress) {}

    /**
     * Accepts one connection. Never blocks the event loop.
     * @throws the signal's reason when it aborts first; WinsockError when accept fails.
     */
    async accept(signal?: AbortSignal): Promise<HvSocketConnection> {
        const ws = this.sockets.winsock;
        for (;;) {
            if (this.closed) throw new WinsockError("accept", 10038, "the listener is closed");
            await this.sockets.sharedPoller.wait(this.socket, "read", signal);
            const accepted = ws.accept(this.socket, null, null);
            if (BigInt(accepted) !== INVALID_SOCKET) {
                // Winsock's accepted sockets inherit FIONBIO; set it anyway, so nothing depends on that.
                if (ws.ioctlsocket(accepted, FIONBIO, [1]) !== 0) {
                    const error = new WinsockError("ioctlsocket(FIONBIO)", ws.WSAGetLastError());
                    ws.closesocket(accepted);
                    throw error;
                }
                return new HvSocketConnection(this.sockets, accepted);
            }
            const code = ws.WSAGetLastError();
            // Readable, then gone before accept (the peer gave up): wait again.
            if (code !== WSAEWOULDBLOCK) throw new WinsockError("accept", code);
        }
    }

    /** closesocket: no further guest can connect here. Idempotent. */
    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.sockets.sharedPoller.close(this.socket);
    }
}

/** A connected Hyper-V socket, as a byte stream (the bridge's transport). Exactly one owner closes it. */
export class HvSocketConnection implements BridgeTransport {
    private closed = false;
    private readonly closing = new AbortController();

    constructor(private readonly sockets: HvSockets, private readonly socket: Socket) {}

    /** The next bytes; null once the peer has closed (or this end did). */
    async read(): Promise<Buffer | null> {
        const ws = this.sockets.winsock;
        const buffer = Buffer.alloc(RECEIVE_BYTES);
        for (;;) {
            if (this.closed) return null;
            try {
                await this.sockets.sharedPoller.wait(this.socket, "read", this.closing.signal);
            } catch (err) {
                if (this.closed) return null;
                throw err;
            }
            const n = ws.recv(this.socket, buffer, buffer.length, 0);
            if (n > 0) return Buffer.from(buffer.subarray(0, n));
            if (n === 0) return null;
            const code = ws.WSAGetLastError();
            if (code === WSAEWOULDBLOCK) continue;
            // hcsshim's isLocalDisconnectError: our own end went away, which is an end, not a failure.
            if (code === WSAECONNABORTED) return null;
            throw new WinsockError("recv", code);
        }
    }

    /** Sends all of `data`, waiting for room as needed. */
    async write(data: Buffer): Promise<void> {
        const ws = this.sockets.winsock;
        let sent = 0;
        while (sent < data.length) {
            if (this.closed) throw new WinsockError("send", 10038, "the connection is closed");
            const rest = data.subarray(sent);
            const n = ws.send(this.socket, rest, rest.length, 0);
            if (n > 0) {
                sent += n;
                continue;
            }
            const code = ws.WSAGetLastError();
            if (code !== WSAEWOULDBLOCK) throw new WinsockError("send", code);
            await this.sockets.sharedPoller.wait(this.socket, "write", this.closing.signal);
        }
    }

    /** closesocket; a pending read ends with null. Idempotent. */
    close(): void {
        if (this.closed) return;
        this.closed = true;
        this.closing.abort(new WinsockError("wait", 10004, "the connection was closed"));
        this.sockets.sharedPoller.close(this.socket);
    }
}

function check(ws: Winsock, operation: string, result: number, detail?: string): void {
    if (result === SOCKET_ERROR) throw new WinsockError(operation, ws.WSAGetLastError(), detail);
}
