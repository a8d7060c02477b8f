import { log } from "../log/logger";
import { WinsockError } from "./winsock-error";
import { POLL } from "./winsock-prototypes";
import { pollArray } from "./winsock-types";
import type { Socket, Winsock } from "./winsock";

/**
 * Waits for Hyper-V sockets to become readable or writable without blocking the event loop: one
 * WSAPoll at a time, over every socket anyone waits on, runs on the libuv pool (`.async`), for at
 * most SLICE_MS. A blocking accept or recv on the pool would hold one of its four threads for as
 * long as a guest takes to boot (minutes, for a guest that never dials), starving file system calls
 * and every other VM's waits; a short poll holds one thread, briefly, however many VMs wait.
 *
 * Sockets stay non-blocking (FIONBIO), so the accept, recv or send that follows readiness returns at
 * once. Closing a socket that is inside a poll in flight waits for that poll to return, so no poll
 * ever sees a handle that was closed (and maybe reused) under it.
 *
 * Not yet verified on a Hyper-V host: that AF_HYPERV sockets take FIONBIO and WSAPoll as other
 * Winsock sockets do (go-winio drives them with overlapped I/O instead). The simulator's sockets and
 * Wine's Winsock do.
 */
export class SocketPoller {
    private readonly waiters = new Map<bigint, Waiter[]>();
    private readonly inPoll = new Set<bigint>();
    private readonly closeAfterPoll = new Set<bigint>();
    private polling = false;

    /**
     * @param sliceMs the longest one poll blocks a pool thread; a new waiter is seen within it.
     */
    constructor(private readonly winsock: Winsock, private readonly sliceMs = 50) {}

    /**
     * Resolves when `socket` is readable (or at its end: the peer closed, an error) or writable.
     * @throws the signal's reason when it aborts first; WinsockError when the poll fails or the socket is closed.
     */
    wait(socket: Socket, want: "read" | "write", signal?: AbortSignal): Promise<void> {
        if (signal?.aborted) return Promise.reject(signal.reason);
        const key = BigInt(socket);
        return new Promise<void>((resolve, reject) => {
            const waiter: Waiter = {
                events: want === "read" ? POLL.RDNORM : POLL.WRNORM,
                settle: (error) => {
                    signal?.removeEventListener("abort", onAbort);
                    if (error) reject(error);
                    else resolve();
                },
            };
            const onAbort = () => {
                this.remove(key, waiter);
                reject(signal!.reason);
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            const list = this.waiters.get(key) ?? [];
            list.push(waiter);
            this.waiters.set(key, list);
            this.pump();
        });
    }

    /** Closes `socket` (closesocket), failing its waiters; deferred while a poll in flight holds it. */
    close(socket: Socket): void {
        const key = BigInt(socket);
        const waiting = this.waiters.get(key) ?? [];
        this.waiters.delete(key);
        for (const waiter of waiting) waiter.settle(new WinsockError("wait", 10004, "the socket was closed"));
        if (this.inPoll.has(key)) this.closeAfterPoll.add(key);
        else this.closeNow(key);
    }

    private remove(key: bigint, waiter: Waiter): void {
        const list = (this.waiters.get(key) ?? []).filter((w) => w !== waiter);
        if (list.length > 0) this.waiters.set(key, list);
        else this.waiters.delete(key);
    }

    private closeNow(key: bigint): void {
        if (this.winsock.closesocket(key) !== 0) {
            log.warn({ socket: String(key), err: new WinsockError("closesocket", this.winsock.WSAGetLastError()).message }, "could not close a Hyper-V socket");
        }
    }

    /** Starts a poll round unless one is in flight; rounds continue while anyone waits. */
    private pump(): void {
        if (this.polling || this.waiters.size === 0) return;
        this.polling = true;
        const entries = [...this.waiters].map(([socket, list]) => ({ socket, events: list.reduce((bits, w) => bits | w.events, 0) }));
        for (const { socket } of entries) this.inPoll.add(socket);
        const array = pollArray(this.winsock.types, entries);
        this.winsock.WSAPoll.async(array.buffer, entries.length, this.sliceMs, (err: unknown, ready: number) => {
            this.polling = false;
            this.inPoll.clear();
            for (const socket of this.closeAfterPoll) this.closeNow(socket);
            this.closeAfterPoll.clear();
            if (err || ready < 0) {
                // The error code lives on the pool thread that polled: ask again here, without waiting.
                const failure = err instanceof Error ? err : new WinsockError("WSAPoll", this.pollErrorCode(entries));
                for (const { socket } of entries) for (const waiter of this.waiters.get(socket) ?? []) waiter.settle(failure);
                for (const { socket } of entries) this.waiters.delete(socket);
            } else {
                entries.forEach(({ socket }, i) => {
                    const revents = array.revents(i);
                    if (revents === 0) return;
                    const list = this.waiters.get(socket) ?? [];
                    // Errors and hang-ups wake everyone: the call that follows reports them.
                    const woken = (revents & (POLL.ERR | POLL.HUP | POLL.NVAL)) !== 0 ? list : list.filter((w) => (w.events & revents) !== 0);
                    const rest = list.filter((w) => !woken.includes(w));
                    if (rest.length > 0) this.waiters.set(socket, rest);
                    else this.waiters.delete(socket);
                    for (const waiter of woken) waiter.settle(undefined);
                });
            }
            this.pump();
        });
    }

    private pollErrorCode(entries: readonly { socket: bigint; events: number }[]): number {
        const array = pollArray(this.winsock.types, entries);
        return this.winsock.WSAPoll(array.buffer, entries.length, 0) < 0 ? this.winsock.WSAGetLastError() : 0;
    }
}

interface Waiter {
    readonly events: number;
    settle(error: Error | undefined): void;
}
