/**
 * A client for the simulator's control interface (`<root>/control.sock`, JSON lines). Tests, the
 * `pulumi-hcs sim` subcommands and operators use it to inspect the simulated host and inject faults.
 * Each request uses its own short connection, so a client survives service restarts.
 *
 * A simulator started through the launcher (`sim-launcher.ts`, for Windows processes that cannot
 * open the service's Unix socket) is controlled through the launcher instead: that client is built
 * on a {@link ControlTransport}.
 */
import * as path from "node:path";
import type { ControlRequest, FaultView, SimulatorState } from "./control-protocol";
import { requestJsonLine } from "./json-line-request";

export const CONTROL_SOCKET = "control.sock";

export interface FailOptions {
    /** Fail the nth next call (1 = the very next one). @default 1 */
    readonly nth?: number;
    /** How many consecutive calls fail. @default 1 */
    readonly times?: number;
}

/** Carries one control request to the service and resolves with its result. */
export type ControlTransport = (req: ControlRequest, timeoutMs: number) => Promise<unknown>;

export class ControlClient {
    private nextId = 1;
    /** The control socket, or a description of the transport (for messages). */
    readonly socketPath: string;
    private readonly transport: ControlTransport;

    /**
     * @param target the control socket, a simulator root (then `<root>/control.sock`), or a transport
     *   with the text that names it in messages.
     */
    constructor(target: string | { readonly transport: ControlTransport; readonly describe: string }) {
        if (typeof target === "string") {
            this.socketPath = target.endsWith(".sock") ? target : path.join(target, CONTROL_SOCKET);
            this.transport = (req, timeoutMs) => this.overSocket(req, timeoutMs);
        } else {
            this.socketPath = target.describe;
            this.transport = target.transport;
        }
    }

    /**
     * Sends one request and resolves with its result.
     * @throws Error when the service is unreachable or answers with an error.
     */
    request<T = unknown>(req: ControlRequest, timeoutMs = 30000): Promise<T> {
        return this.transport(req, timeoutMs) as Promise<T>;
    }

    private async overSocket(req: ControlRequest, timeoutMs: number): Promise<unknown> {
        const { result } = await requestJsonLine<unknown>({
            connect: { path: this.socketPath },
            request: { id: this.nextId++, ...req },
            peer: `the simulator's control interface at ${this.socketPath}`,
            what: req.cmd,
            timeoutMs,
            unreachableHint: "(is `pulumi-hcs sim` running?)",
        });
        return result;
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

    /**
     * Breaks the guests that boot from now on (of compute system `system`, or all): see guest/guest-faults.ts
     * for the modes (never-dial, dial-late, close-mid-negotiation, unsupported-version, stop-answering,
     * fail-request). Cleared with the other faults.
     */
    guestFault(mode: string, options: { system?: string; delayMs?: number; at?: string; version?: number; hresult?: number | string } = {}): Promise<FaultView> {
        return this.request({ cmd: "fault", action: "guest", mode, ...options });
    }

    /** Removes every fault (or those for `fn`, `GCS` for the guests'); held calls proceed. */
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
