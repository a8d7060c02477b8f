/**
 * The client side of the simulator launcher (`sim-launcher.ts`): how a process that cannot run the
 * simulator service itself gets one. The Windows node.exe under Wine is such a process: the service
 * must run on Linux (the simulated host's files, its Unix sockets, SIGKILL crashes), so the Windows
 * test run (scripts/test-windows.sh) starts a launcher on the Linux side and names it in
 * `PULUMI_HCS_SIM_LAUNCHER`; `startSimulatorProcess` then asks it for simulators.
 *
 * The launcher speaks JSON lines over TCP on 127.0.0.1, one request per connection, each carrying
 * the launcher's secret (`PULUMI_HCS_SIM_LAUNCHER_SECRET`):
 *
 *     → {"id":1,"secret":"…","cmd":"start","options":{"logicalProcessors":8}}
 *     ← {"id":1,"ok":true,"result":{"sim":1,"address":"tcp:127.0.0.1:40123","secret":"…","ready":{…}}}
 *     → {"id":2,"secret":"…","cmd":"control","sim":1,"request":{"cmd":"fault","action":"hang","fn":"HcsStartComputeSystem"}}
 *
 * Commands: `start {options}`, `stop {sim}`, `crash {sim}`, `restart {sim}`, `control {sim, request}`.
 * The connection of a `start` stays open for the simulator's life: when it closes (this process
 * exited or forgot the simulator), the launcher stops that simulator, as a simulator this process
 * spawned itself would stop with its stdin.
 */
import type * as net from "node:net";
import type { ControlRequest } from "./control-protocol";
import { ControlClient } from "./control-client";
import { requestJsonLine } from "./json-line-request";
import type { RunningSimulator, StartSimulatorOptions } from "./launch";
import type { ReadyInfo } from "./run-service";

/** `tcp:127.0.0.1:<port>` of a running launcher; when set, `startSimulatorProcess` uses it. */
export const LAUNCHER_ENV = "PULUMI_HCS_SIM_LAUNCHER";
/** The launcher's secret, sent with every request. */
export const LAUNCHER_SECRET_ENV = "PULUMI_HCS_SIM_LAUNCHER_SECRET";

/** What the launcher starts a simulator with (the serializable part of {@link StartSimulatorOptions}). */
export interface LaunchOptions {
    readonly logicalProcessors?: number;
    readonly build?: number;
    readonly guestBootDelayMs?: number;
    readonly env?: Readonly<Record<string, string>>;
    readonly readyTimeoutMs?: number;
}

export type LauncherRequest =
    | { readonly cmd: "start"; readonly options: LaunchOptions }
    | { readonly cmd: "stop" | "crash" | "restart"; readonly sim: number }
    | { readonly cmd: "control"; readonly sim: number; readonly request: ControlRequest; readonly timeoutMs?: number };

/** The answer to `start`: the simulator as the launcher's side sees it (POSIX paths). */
export interface LaunchedSimulator {
    /** The launcher's number for the simulator, named by later requests. */
    readonly sim: number;
    /** `tcp:127.0.0.1:<port>`: launched simulators always listen on TCP. */
    readonly address: string;
    readonly secret: string;
    readonly ready: ReadyInfo;
}

/** Where a launcher listens, parsed from `tcp:127.0.0.1:<port>`. */
export interface LauncherEndpoint {
    readonly host: string;
    readonly port: number;
    readonly secret: string;
}

/**
 * The launcher named by the environment, or undefined when none is.
 * @throws {RangeError} when `PULUMI_HCS_SIM_LAUNCHER` is set but malformed, or its secret is missing.
 */
export function launcherFromEnv(env: NodeJS.ProcessEnv = process.env): LauncherEndpoint | undefined {
    const text = env[LAUNCHER_ENV]?.trim();
    if (!text) return undefined;
    const match = /^tcp:(127\.0\.0\.1):(\d{1,5})$/.exec(text);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        throw new RangeError(`${LAUNCHER_ENV} must be tcp:127.0.0.1:<port>, got '${text}'`);
    }
    const secret = env[LAUNCHER_SECRET_ENV];
    if (!secret) throw new RangeError(`${LAUNCHER_ENV} is set but ${LAUNCHER_SECRET_ENV} is not: the launcher refuses requests without its secret`);
    return { host: match[1]!, port: Number(match[2]), secret };
}

let nextRequestId = 1;

/**
 * Sends one request to the launcher.
 * @throws Error when the launcher is unreachable or answers with an error.
 */
export async function launcherRequest<T>(launcher: LauncherEndpoint, req: LauncherRequest, timeoutMs: number, keepOpen = false): Promise<{ result: T; socket?: net.Socket }> {
    return requestJsonLine<T>({
        connect: { host: launcher.host, port: launcher.port },
        request: { id: nextRequestId++, secret: launcher.secret, ...req },
        peer: `the simulator launcher at tcp:${launcher.host}:${launcher.port}`,
        what: req.cmd,
        timeoutMs,
        unreachableHint: `(${LAUNCHER_ENV} names a launcher that is not running; scripts/test-windows.sh starts one)`,
        keepOpen,
    });
}

/**
 * Starts a simulator through the launcher: the {@link RunningSimulator} counterpart of a spawned one.
 * `root` is the launcher's root as this process opens it (`localRoot`, e.g. `Z:\tmp\hcs-sim-…` under
 * Wine); `ready` keeps the service's own view.
 * @throws Error when the launcher cannot start one, or `opts.root` is given (the launcher makes the root).
 */
export async function startSimulatorThroughLauncher(
    launcher: LauncherEndpoint,
    opts: StartSimulatorOptions,
    localRoot: (serviceRoot: string) => string,
    libraryPath: string,
): Promise<RunningSimulator> {
    if (opts.root !== undefined) {
        throw new Error(`Cannot start a simulator on root '${opts.root}' through ${LAUNCHER_ENV}: the launcher makes the root on its own side; leave root unset`);
    }
    const options: LaunchOptions = {
        logicalProcessors: opts.logicalProcessors,
        build: opts.build,
        guestBootDelayMs: opts.guestBootDelayMs,
        readyTimeoutMs: opts.readyTimeoutMs,
        // Only what was asked for: this process's environment (Windows paths, PATH) means nothing there.
        env: {
            PULUMI_HCS_LOG_LEVEL: process.env.PULUMI_HCS_LOG_LEVEL ?? "warn",
            ...(opts.env as Record<string, string> | undefined),
        },
    };
    const timeoutMs = (opts.readyTimeoutMs ?? 20000) + 10000;
    const started = await launcherRequest<LaunchedSimulator>(launcher, { cmd: "start", options }, timeoutMs, true);
    const session = started.socket!;
    const launched = started.result;
    const id = launched.sim;
    const describe = `the simulator launcher at tcp:${launcher.host}:${launcher.port} (simulator ${id})`;
    const ask = async <T>(req: LauncherRequest, ms = 30000): Promise<T> => (await launcherRequest<T>(launcher, req, ms)).result;

    const sim: RunningSimulator & { pid: number; ready: ReadyInfo } = {
        root: localRoot(launched.ready.root),
        address: launched.address,
        secret: launched.secret,
        env: { PULUMI_HCS_SIM: launched.address, PULUMI_HCS_SIM_SECRET: launched.secret },
        control: new ControlClient({
            describe,
            transport: (request, ms) => ask({ cmd: "control", sim: id, request, timeoutMs: ms }, ms + 5000),
        }),
        pid: launched.ready.pid,
        ready: launched.ready,
        libraryPath,
        async stop() {
            try {
                await ask({ cmd: "stop", sim: id });
            } finally {
                session.destroy();
            }
        },
        async crash() {
            await ask({ cmd: "crash", sim: id });
        },
        async restart() {
            const { ready } = await ask<{ ready: ReadyInfo }>({ cmd: "restart", sim: id }, timeoutMs);
            sim.pid = ready.pid;
            sim.ready = ready;
        },
    };
    return sim;
}
