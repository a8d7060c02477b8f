/**
 * The simulated host's Hyper-V socket namespace: which listener, if any, is bound to each
 * (VM ID, service ID) pair. A Hyper-V socket address is a VM's GUID and a service GUID; a guest
 * dials its host at (its VM ID, a service ID), and reaches the host process that bound that pair.
 *
 * Client processes bind through their simulator library (`HcsSimHv_bind`): a Linux client gets a
 * Unix socket path under `<root>/hvsock/` to listen on, a Windows client (the mingw DLL, under
 * Wine) listens on TCP 127.0.0.1 and says where. The simulated guest (guest/simulated-guest.ts)
 * looks its pair up here and dials that address. Bindings belong to the connection (the process)
 * that made them, like sockets: they end with it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClientConnection } from "./compute-service";
import { EVENT_IDS, HcsFailure } from "./hresults";

/** HRESULT_FROM_WIN32 of the Winsock errors a bind can fail with (the library turns them back into WSA codes). */
export const WSA_HR = {
    /** WSAEADDRINUSE (10048): another socket is bound to the pair. */
    ADDRESS_IN_USE: (0x80070000 | 10048) | 0,
    /** WSAEINVAL (10022): not a GUID, or an address the service cannot dial. */
    INVALID: (0x80070000 | 10022) | 0,
    /** WSAENAMETOOLONG (10063): the socket path would not fit a Unix socket address. */
    NAME_TOO_LONG: (0x80070000 | 10063) | 0,
} as const;

/** The longest path a Unix socket address holds on Linux (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One bound socket, as the control interface's `state` lists it. */
export interface HvSocketBindingView {
    readonly vmId: string;
    readonly serviceId: string;
    /** `unix:<path>` or `tcp:127.0.0.1:<port>`: where the service dials the listener. */
    readonly address: string;
    /** The client connection (process) that bound it. */
    readonly connection: number;
    readonly pid: number | null;
}

interface Binding {
    readonly vmId: string;
    readonly serviceId: string;
    readonly address: string;
    readonly conn: ClientConnection;
    /** The socket file the service assigned, removed with the binding. */
    readonly socketPath?: string;
}

export class HvSocketNamespace {
    private readonly bindings = new Map<string, Binding>();
    private nextPath = 1;

    /** `directory` holds the Unix sockets of Linux clients' listeners. */
    constructor(readonly directory: string) {}

    /**
     * Makes the socket directory (mode 0700: only this user may dial into the listeners) and removes
     * what a crashed client or service left there: no binding survives a restart.
     */
    prepare(): void {
        fs.rmSync(this.directory, { recursive: true, force: true });
        fs.mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    }

    /**
     * Binds (vmId, serviceId) for `conn`. With an address (a Windows client's TCP listener), that is
     * where the guest dials; without, the service assigns a Unix socket path for the client to
     * listen on. Returns the address.
     * @throws HcsFailure HRESULT_FROM_WIN32(WSAEADDRINUSE) when another socket holds the pair.
     */
    bind(conn: ClientConnection, vmId: string | null, serviceId: string | null, address: string | null): string {
        for (const [name, value] of [["VM ID", vmId], ["service ID", serviceId]] as const) {
            if (value === null || !GUID.test(value)) {
                throw new HcsFailure(WSA_HR.INVALID, `Cannot bind a Hyper-V socket: the ${name} ${JSON.stringify(value)} is not a GUID`);
            }
        }
        // GUESS: any VM ID may be bound, also one no running VM has (hcsshim binds before the VM starts).
        const key = keyOf(vmId!, serviceId!);
        const holder = this.bindings.get(key);
        if (holder) {
            throw new HcsFailure(WSA_HR.ADDRESS_IN_USE,
                `Cannot bind a Hyper-V socket to VM ${vmId} service ${serviceId}: process ${holder.conn.pid ?? "?"} has bound it`,
                undefined, EVENT_IDS.alreadyExists);
        }
        let binding: Binding;
        if (address !== null) {
            if (!/^tcp:127\.0\.0\.1:\d{1,5}$/.test(address)) {
                throw new HcsFailure(WSA_HR.INVALID, `Cannot bind a Hyper-V socket at '${address}': a client names tcp:127.0.0.1:<port> or nothing`);
            }
            binding = { vmId: vmId!.toLowerCase(), serviceId: serviceId!.toLowerCase(), address, conn };
        } else {
            const socketPath = path.join(this.directory, `${this.nextPath++}.sock`);
            if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
                throw new HcsFailure(WSA_HR.NAME_TOO_LONG,
                    `Cannot bind a Hyper-V socket: ${socketPath} is longer than a Unix socket address (${MAX_SOCKET_PATH} bytes); use a shorter simulator root`);
            }
            binding = { vmId: vmId!.toLowerCase(), serviceId: serviceId!.toLowerCase(), address: `unix:${socketPath}`, conn, socketPath };
        }
        this.bindings.set(key, binding);
        return binding.address;
    }

    /** The client closed its socket (`HcsSimHv_closesocket`); a pair it does not hold is ignored. */
    close(conn: ClientConnection, vmId: string | null, serviceId: string | null): void {
        if (vmId === null || serviceId === null) return;
        const key = keyOf(vmId, serviceId);
        const binding = this.bindings.get(key);
        if (binding?.conn === conn) this.remove(key, binding);
    }

    /** A client process went away: its sockets closed with it. */
    connectionClosed(conn: ClientConnection): void {
        for (const [key, binding] of this.bindings) if (binding.conn === conn) this.remove(key, binding);
    }

    /** Where a guest of `vmId` dials `serviceId`, or undefined when nothing is bound there. */
    lookup(vmId: string, serviceId: string): string | undefined {
        return this.bindings.get(keyOf(vmId, serviceId))?.address;
    }

    list(): HvSocketBindingView[] {
        return [...this.bindings.values()].map((b) => ({
            vmId: b.vmId, serviceId: b.serviceId, address: b.address, connection: b.conn.id, pid: b.conn.pid ?? null,
        }));
    }

    private remove(key: string, binding: Binding): void {
        this.bindings.delete(key);
        if (binding.socketPath) fs.rmSync(binding.socketPath, { force: true });
    }
}

function keyOf(vmId: string, serviceId: string): string {
    return `${vmId.toLowerCase()}/${serviceId.toLowerCase()}`;
}
