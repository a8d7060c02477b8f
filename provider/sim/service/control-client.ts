/**
 * A client for the simulator's control interface (`<root>/control.sock`, JSON lines). Tests, the
 * `pulumi-hcs sim` subcommands and operators use it to inspect the simulated host and inject faults.
 * Each request uses its own short connection, so a client survives service restarts.
 */
import * as net from "node:net";
import * as path from "node:path";
import type { ControlRequest, ControlResponse, FaultView, SimulatorState } from "./control-protocol";

export const CONTROL_SOCKET = "control.sock";

export interface FailOptions {
    /** Fail the nth next call (1 = the very next one). @default 1 */
    readonly nth?: number;
    /** How many consecutive calls fail. @default 1 */
    readonly times?: number;
}

export class ControlClient {
    private nextId = 1;

    /** @param socketPath the control socket, or a simulator root (then `<root>/control.sock`). */
    constructor(readonly socketPath: string) {
        if (!socketPath.endsWith(".sock")) this.socketPath = path.join(socketPath, CONTROL_SOCKET);
    }

    /**
     * Sends one request and resolves with its result.
     * @throws Error when the service is unreachable or answers with an error.
     */
    request<T = unknown>(req: ControlRequest, timeoutMs = 30000): Promise<T> {
        const id = this.nextId++;
        return new Promise<T>((resolve, reject) => {
            const socket = net.createConnection(this.socketPath);
            let buffer = "";
            let settled = false;
            const finish = (err: Error | undefined, value?: T) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                socket.destroy();
                if (err) reject(err);
                else resolve(value as T);
            };
            const timer = setTimeout(() => finish(new Error(`The simulator's control interface at ${this.socketPath} did not answer '${req.cmd}' within ${timeoutMs} ms`)), timeoutMs);
            socket.setEncoding("utf8");
            socket.on("connect", () => socket.write(`${JSON.stringify({ id, ...req })}\n`));
            socket.on("data", (chunk: string) => {
                buffer += chunk;
                const nl = buffer.indexOf("\n");
                if (nl < 0) return;
                let response: ControlResponse;
                try {
                    response = JSON.parse(buffer.slice(0, nl)) as ControlResponse;
                } catch (err) {
                    finish(new Error(`The simulator's control interface sent an unreadable answer: ${(err as Error).message}`));
                    return;
                }
                if (response.ok) finish(undefined, response.result as T);
                else finish(new Error(response.error));
            });
            socket.on("error", (err) => finish(new Error(`Cannot reach the simulator's control interface at ${this.socketPath}: ${err.message} (is \`pulumi-hcs sim\` running?)`, { cause: err })));
            socket.on("close", () => finish(new Error(`The simulator's control interface at ${this.socketPath} closed the connection before answering '${req.cmd}'`)));
        });
    }

    ping(): Promise<{ pid: number; root: string }> {
        return this.request({ cmd: "ping" });
    }

    state(): Promise<SimulatorState> {
        return this.request({ cmd: "state" });
    }

    /** Makes the nth next call of `fn` fail with `hresult` (e.g. `0x80370118`), `times` times. */
    failNext(fn: string, hresult: number | string, options: FailOptions = {}): Promise<FaultView> {
        return this.request({ cmd: "fault", action: "fail", fn, hresult, nth: options.nth ?? 1, times: options.times ?? 1 });
    }

    /** Delays every call of `fn` by `ms` milliseconds. */
    latency(fn: string, ms: number): Promise<FaultView> {
        return this.request({ cmd: "fault", action: "latency", fn, ms });
    }

    /** Holds every call of `fn` until faults are cleared. */
    hang(fn: string): Promise<FaultView> {
        return this.request({ cmd: "fault", action: "hang", fn });
    }

    /** Kills the service abruptly: now, or when the next call of `fn` arrives. */
    async crash(fn?: string): Promise<void> {
        if (fn !== undefined) {
            await this.request({ cmd: "fault", action: "crash", fn });
            return;
        }
        await this.request({ cmd: "fault", action: "crash" }).catch(() => undefined); // it dies before answering
    }

    /** Removes every fault (or those for `fn`); held calls proceed. */
    clearFaults(fn?: string): Promise<{ removed: number }> {
        return this.request(fn === undefined ? { cmd: "fault", action: "clear" } : { cmd: "fault", action: "clear", fn });
    }

    listFaults(): Promise<FaultView[]> {
        return this.request({ cmd: "fault", action: "list" });
    }

    /** The system stops behind its clients' backs (ExitType UnexpectedExit). */
    kill(id: string): Promise<void> {
        return this.request({ cmd: "kill", id });
    }

    /** Stops the service cleanly. */
    stop(): Promise<void> {
        return this.request({ cmd: "stop" });
    }
}
