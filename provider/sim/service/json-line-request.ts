/**
 * One request and its response as JSON lines over a fresh connection: how the simulator's control
 * interface (`control.sock`) and the simulator launcher (TCP, `sim-launcher.ts`) are spoken to.
 * A response is `{"id","ok":true,"result"}` or `{"id","ok":false,"error"}` (control-protocol.ts).
 */
import * as net from "node:net";
import type { ControlResponse } from "./control-protocol";

export interface JsonLineRequestOptions {
    /** Where to connect: a Unix socket path, or `{ host, port }`. */
    readonly connect: net.NetConnectOpts;
    /** The request object; written as one line. */
    readonly request: Readonly<Record<string, unknown>>;
    /** Names the peer in errors, e.g. "the simulator's control interface at /r/control.sock". */
    readonly peer: string;
    /** Names the request in errors (its `cmd`). */
    readonly what: string;
    readonly timeoutMs: number;
    /** A hint appended to "cannot reach" errors, e.g. "(is `pulumi-hcs sim` running?)". */
    readonly unreachableHint?: string;
    /**
     * Keep the connection open after the response and hand it over (unref'd, so it never keeps this
     * process alive). Its owner destroys it; closing it is how the peer learns that this process is
     * done or gone.
     */
    readonly keepOpen?: boolean;
}

/**
 * Sends the request and resolves with the response's result (and the open connection, with `keepOpen`).
 * @throws Error when the peer is unreachable, does not answer in time, answers unreadably, or
 *   answers with an error (its text is the message).
 */
export function requestJsonLine<T>(options: JsonLineRequestOptions): Promise<{ result: T; socket?: net.Socket }> {
    const { peer, what, timeoutMs } = options;
    return new Promise((resolve, reject) => {
        const socket = net.createConnection(options.connect);
        let buffer = "";
        let settled = false;
        const finish = (err: Error | undefined, result?: T) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (err || !options.keepOpen) socket.destroy();
            if (err) {
                reject(err);
                return;
            }
            if (options.keepOpen) {
                socket.removeAllListeners("data");
                socket.on("error", () => socket.destroy());
                socket.unref();
                resolve({ result: result as T, socket });
            } else {
                resolve({ result: result as T });
            }
        };
        const timer = setTimeout(() => finish(new Error(`${capitalize(peer)} did not answer '${what}' within ${timeoutMs} ms`)), timeoutMs);
        socket.setEncoding("utf8");
        socket.on("connect", () => socket.write(`${JSON.stringify(options.request)}\n`));
        socket.on("data", (chunk: string) => {
            buffer += chunk;
            const nl = buffer.indexOf("\n");
            if (nl < 0) return;
            let response: ControlResponse;
            try {
                response = JSON.parse(buffer.slice(0, nl)) as ControlResponse;
            } catch (err) {
                finish(new Error(`${capitalize(peer)} sent an unreadable answer to '${what}': ${(err as Error).message}`));
                return;
            }
            if (response.ok) finish(undefined, response.result as T);
            else finish(new Error(response.error));
        });
        socket.on("error", (err) => finish(new Error(`Cannot reach ${peer}: ${err.message}${options.unreachableHint ? ` ${options.unreachableHint}` : ""}`, { cause: err })));
        socket.on("close", () => finish(new Error(`${capitalize(peer)} closed the connection before answering '${what}'`)));
    });
}

function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
