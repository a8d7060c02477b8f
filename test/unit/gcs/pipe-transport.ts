/**
 * An in-memory byte stream for bridge tests, like hcsshim's `pipeConn` in bridge_test.go: two ends,
 * each reading what the other writes. Closing either end ends both.
 */
import type { BridgeTransport } from "../../../provider/src/gcs/bridge";
import { type BridgeMessage, MessageReader } from "../../../provider/src/gcs/framing";

/** The guest side of a test: reads `end` until it closes, handing each whole message to `handle`, in order. */
export function eachMessage(end: BridgeTransport, handle: (message: BridgeMessage) => unknown): void {
    const reader = new MessageReader();
    void (async () => {
        for (;;) {
            const chunk = await end.read();
            if (chunk === null) return;
            for (const message of reader.push(chunk)) await handle(message);
        }
    })();
}

class End implements BridgeTransport {
    private readonly queue: Buffer[] = [];
    private waiting: ((chunk: Buffer | null) => void) | undefined;
    peer!: End;
    closed = false;

    read(): Promise<Buffer | null> {
        const next = this.queue.shift();
        if (next) return Promise.resolve(next);
        if (this.closed) return Promise.resolve(null);
        return new Promise((resolve) => (this.waiting = resolve));
    }

    write(data: Buffer): Promise<void> {
        if (this.closed) return Promise.reject(new Error("write on a closed pipe"));
        this.peer.deliver(data);
        return Promise.resolve();
    }

    close(): void {
        this.end();
        this.peer.end();
    }

    private deliver(data: Buffer): void {
        if (this.closed) return;
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) waiting(data);
        else this.queue.push(data);
    }

    private end(): void {
        this.closed = true;
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting?.(null);
    }
}

/** Two connected ends: the host's and the guest's. */
export function pipe(): [BridgeTransport & { closed: boolean }, BridgeTransport & { closed: boolean }] {
    const a = new End();
    const b = new End();
    a.peer = b;
    b.peer = a;
    return [a, b];
}
