import * as net from "node:net";
import { defaultTimeoutMs, timeoutEnvVar } from "../hcs/timeouts";
import { encodeFrame, Fn, type Frame, FrameKind, FrameReader, PROTOCOL_VERSION } from "../../sim/service/protocol";

/**
 * Asks the simulator service at `address` (a socket path, or `tcp:127.0.0.1:<port>`) for its
 * `Simulator` service property over a connection of its own, speaking the wire protocol the native
 * library speaks (hello, one HcsGetServiceProperties request, close).
 *
 * The library talks to one service per process (simulated-host.ts), and pointing it elsewhere
 * would break the handles open on the current one; this probe is how the provider learns which
 * host an address reaches without moving the library, to choose between addresses by host ID.
 * The wait is bounded by the `syscall` timeout, as the library's HcsGetServiceProperties is.
 * @param secret the TCP secret (ignored by Unix sockets).
 * @throws Error when nothing answers at the address, the hello is refused (a wrong secret), the
 *   service answers with a failure, or the wait runs out.
 */
export function probeSimulator(address: string, secret: string | undefined): Promise<unknown> {
    const timeoutMs = defaultTimeoutMs("syscall");
    const tcp = /^tcp:(127\.0\.0\.1):(\d{1,5})$/.exec(address);
    const socket = tcp ? net.connect({ host: tcp[1], port: Number(tcp[2]) }) : net.connect(address);
    return new Promise<unknown>((resolve, reject) => {
        const reader = new FrameReader();
        let helloAnswered = false;
        const finish = (error: Error | undefined, value?: unknown): void => {
            clearTimeout(timer);
            socket.destroy();
            if (error) reject(error);
            else resolve(value);
        };
        const timer = setTimeout(
            () => finish(new Error(`the simulator at '${address}' did not answer within ${timeoutMs} ms (the syscall timeout, ${timeoutEnvVar("syscall")})`)),
            timeoutMs,
        );
        const request = (kind: FrameKind, fn: number, arg: number, strings: (string | null)[]): Frame => ({ kind, fn, reqId: 1, handle: 0, hr: 0, arg, strings });
        socket.once("connect", () => {
            const info = JSON.stringify({ protocol: PROTOCOL_VERSION, pid: process.pid, library: "pulumi-hcs probe" });
            socket.write(encodeFrame(request(FrameKind.Hello, 0, PROTOCOL_VERSION, [tcp ? (secret ?? "") : null, info])));
        });
        socket.on("data", (chunk: Buffer) => {
            let frames: Frame[];
            try {
                frames = reader.push(chunk);
            } catch (err) {
                return finish(new Error(`the service at '${address}' sent an unreadable frame: ${(err as Error).message}`));
            }
            for (const frame of frames) {
                if (frame.kind !== FrameKind.Reply) continue;
                if (frame.hr < 0) {
                    const what = helloAnswered ? "refused HcsGetServiceProperties" : "refused the connection";
                    return finish(new Error(`the simulator at '${address}' ${what}: ${frame.strings[0] ?? "no reason given"}`));
                }
                if (!helloAnswered) {
                    helloAnswered = true;
                    socket.write(encodeFrame(request(FrameKind.Request, Fn.GetServiceProperties, 0, [JSON.stringify({ PropertyTypes: ["Simulator"] })])));
                    continue;
                }
                try {
                    const properties = (JSON.parse(frame.strings[0] ?? "null") as { Properties?: unknown[] } | null)?.Properties;
                    return finish(undefined, properties?.[0]);
                } catch (err) {
                    return finish(new Error(`the simulator at '${address}' answered HcsGetServiceProperties with unreadable JSON: ${(err as Error).message}`));
                }
            }
        });
        socket.once("error", (err) => finish(new Error(`cannot connect to the simulator at '${address}' (is \`pulumi-hcs sim\` running?): ${err.message}`, { cause: err })));
        socket.once("close", () => finish(new Error(`the simulator at '${address}' closed the connection before answering`)));
    });
}
