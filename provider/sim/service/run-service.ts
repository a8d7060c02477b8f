/**
 * Runs the simulator service in this process: the HCS protocol on a Unix socket (and TCP when asked),
 * the control interface on `<root>/control.sock`, state under the root. Prints one ready line on
 * stdout (and writes it to `<root>/sim.json`) once everything listens.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { log } from "../../src/log/logger";
import { formatHostTarget } from "../../src/model/host-target";
import { ComputeService, prepareRoot } from "./compute-service";
import { onLines } from "./json-lines";
import { ControlClient, CONTROL_SOCKET } from "./control-client";
import type { ControlRequest, ControlResponse, FaultView, SimulatorState } from "./control-protocol";
import { Faults, type Fault } from "./faults";
import { GuestFaults, type GuestFault } from "./guest/guest-faults";
import { DEFAULT_GUEST_BOOT_DELAY_MS, Guests } from "./guest/guests";
import { hostTimeZone } from "./host-time-zone";
import { HvSocketNamespace } from "./hv-socket-namespace";
import { writeFileAtomic } from "./host-store";
import { hrHex, parseHresult } from "./hresults";
import { maxSchemaMinor } from "./schema";
import { SimServer } from "./server";

export const READY_FILE = "sim.json";
export const PID_FILE = "sim.pid";
export const DEFAULT_BUILD = 20348;
/** The longest path a Unix socket address holds on Linux (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

export interface ServiceOptions {
    readonly root: string;
    /** @default `<root>/hcs.sock` */
    readonly socket?: string;
    /** `127.0.0.1:<port>` (port 0 picks one); TCP clients must send the secret. */
    readonly tcp?: string;
    /** @default os.availableParallelism() */
    readonly logicalProcessors: number;
    /** @default 20348 (Windows Server 2022) */
    readonly build: number;
    /** The TCP secret; @default PULUMI_HCS_SIM_SECRET from the environment, else a fresh random one. */
    readonly secret?: string;
    /** How long a started VM's guest takes to dial its host, in ms. @default 20 */
    readonly guestBootDelayMs?: number;
}

/** The line the service prints when ready, also written to `<root>/sim.json`. */
export interface ReadyInfo {
    /** The host string for PULUMI_HCS_HOST or a resource's `host` input: `sim:<socket path>`. */
    readonly host: string;
    /** The same over TCP, `sim:tcp:127.0.0.1:<port>` (with PULUMI_HCS_SIM_SECRET), or null without --tcp. */
    readonly tcpHost: string | null;
    readonly socket: string;
    /** The value the simulator's library takes in PULUMI_HCS_SIM for the Unix socket. */
    readonly address: string;
    readonly tcp: string | null;
    readonly secret: string | null;
    readonly control: string;
    readonly pid: number;
    readonly root: string;
}

/**
 * Parses `127.0.0.1:<port>`.
 * @throws {RangeError} for any other host (the service only listens on loopback) or a bad port.
 */
export function parseTcp(text: string): { host: string; port: number } {
    const m = /^(127\.0\.0\.1):(\d{1,5})$/.exec(text.trim());
    const port = m ? Number(m[2]) : NaN;
    if (!m || port > 65535) throw new RangeError(`Cannot listen on TCP '${text}': expected 127.0.0.1:<port> (port 0 picks a free one)`);
    return { host: m[1]!, port };
}

/** What refusing a second simulator on a root says, from `pulumi-hcs sim` and from `--detach` alike. */
export function alreadyRunningMessage(root: string, pid: number): string {
    return `Cannot start the simulator: one is already running on ${root} (pid ${pid}); stop it with \`pulumi-hcs sim stop --root ${root}\``;
}

/**
 * The pid of the simulator serving `root`, or undefined when none does: the pid file names a live
 * process and the control socket answers (a stale pid file, or a pid reused by another process,
 * does not count).
 */
export async function runningSimulatorPid(root: string): Promise<number | undefined> {
    const pidFile = path.join(root, PID_FILE);
    if (!fs.existsSync(pidFile)) return undefined;
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) return undefined;
    const answers = await new ControlClient(path.join(root, CONTROL_SOCKET)).ping().then(() => true, () => false);
    return answers ? pid : undefined;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Removes a socket file nobody listens on (left by a crashed service). */
async function removeStaleSocket(socketPath: string): Promise<void> {
    if (!fs.existsSync(socketPath)) return;
    const alive = await new Promise<boolean>((resolve) => {
        const s = net.createConnection(socketPath);
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
    });
    if (alive) throw new Error(`Cannot start the simulator: something already listens on ${socketPath} (another \`pulumi-hcs sim\` on this root?)`);
    fs.rmSync(socketPath, { force: true });
}

function guestFaultView(f: GuestFault): FaultView {
    return {
        kind: "guest", fn: "GCS", mode: f.mode,
        ...(f.system !== undefined ? { system: f.system } : {}),
        ...(f.delayMs !== undefined ? { delayMs: f.delayMs } : {}),
        ...(f.at !== undefined ? { at: f.at } : {}),
        ...(f.version !== undefined ? { version: f.version } : {}),
        ...(f.hresult !== undefined ? { hresult: hrHex(f.hresult) } : {}),
    };
}

function faultView(f: Fault): FaultView {
    switch (f.kind) {
        case "fail":
            return { kind: f.kind, fn: f.fn, hresult: hrHex(f.hresult), nth: f.nth, times: f.times };
        case "latency":
            return { kind: f.kind, fn: f.fn, ms: f.ms };
        default:
            return { kind: f.kind, fn: f.fn };
    }
}

/** A running service. */
export interface RunningService {
    readonly ready: ReadyInfo;
    /** Resolves when the service has stopped (control `stop`, SIGTERM, SIGINT). */
    readonly stopped: Promise<void>;
    stop(): Promise<void>;
}

/**
 * Starts the service and resolves once it accepts connections.
 * @throws Error when the root already has a live service, a socket path is too long, or listening fails.
 */
export async function runService(options: ServiceOptions): Promise<RunningService> {
    const root = path.resolve(options.root);
    const simLog = log.child({ component: "sim" });
    if (maxSchemaMinor(options.build) === undefined) {
        throw new RangeError(`Cannot simulate build ${options.build}: computecore needs Windows 10 1809 / Server 2019 (build 17763) or later`);
    }
    if (!Number.isInteger(options.logicalProcessors) || options.logicalProcessors < 1) {
        throw new RangeError(`Cannot simulate ${options.logicalProcessors} logical processors: expected a positive integer`);
    }
    fs.mkdirSync(root, { recursive: true });
    prepareRoot(root);
    const socketPath = path.resolve(options.socket ?? path.join(root, "hcs.sock"));
    const controlPath = path.join(root, CONTROL_SOCKET);
    for (const p of [socketPath, controlPath]) {
        if (Buffer.byteLength(p) > MAX_SOCKET_PATH) {
            throw new RangeError(`Cannot listen on ${p}: a Unix socket path is at most ${MAX_SOCKET_PATH} bytes; use a shorter --root (or --socket)`);
        }
    }
    const pidFile = path.join(root, PID_FILE);
    const running = await runningSimulatorPid(root);
    if (running !== undefined) throw new Error(alreadyRunningMessage(root, running));
    await removeStaleSocket(socketPath);
    await removeStaleSocket(controlPath);

    const tcp = options.tcp !== undefined ? parseTcp(options.tcp) : undefined;
    const secret = tcp ? (options.secret ?? (process.env.PULUMI_HCS_SIM_SECRET || randomBytes(32).toString("hex"))) : undefined;
    const bootDelayMs = options.guestBootDelayMs ?? DEFAULT_GUEST_BOOT_DELAY_MS;
    if (!Number.isInteger(bootDelayMs) || bootDelayMs < 0) {
        throw new RangeError(`Cannot use a guest boot delay of ${bootDelayMs} ms: expected a whole number of milliseconds, 0 or more`);
    }
    const hvSockets = new HvSocketNamespace(path.join(root, "hvsock"));
    hvSockets.prepare();
    const guestFaults = new GuestFaults();
    const guests = new Guests({ namespace: hvSockets, faults: guestFaults, bootDelayMs, log: simLog });
    const service = new ComputeService({
        root, build: options.build, logicalProcessors: options.logicalProcessors, log: simLog, timeZone: hostTimeZone(),
        lifecycle: {
            started: (system) => guests.started(system),
            stopped: (system) => guests.stopped(system),
            removed: (system) => guests.removed(system),
            restored: (system) => guests.restored(system),
        },
    });
    const faults = new Faults();
    const crash = () => process.kill(process.pid, "SIGKILL");
    const server = new SimServer({ socketPath, tcp, secret, service, hvSockets, faults, log: simLog, crash });
    await server.listen();

    let resolveStopped!: () => void;
    const stopped = new Promise<void>((r) => (resolveStopped = r));
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
        stopping ??= (async () => {
            simLog.info({ root }, "simulator stopping");
            guests.stopAll();
            await Promise.all([server.close(), new Promise<void>((r) => control.close(() => r()))]);
            fs.rmSync(hvSockets.directory, { recursive: true, force: true });
            for (const f of [socketPath, controlPath, pidFile]) fs.rmSync(f, { force: true });
            resolveStopped();
        })();
        return stopping;
    };

    const state = (): SimulatorState => ({
        pid: process.pid,
        root,
        hostId: service.hostId,
        build: options.build,
        logicalProcessors: options.logicalProcessors,
        socket: socketPath,
        tcp: server.tcpAddress,
        ...snapshotWithGuests(),
        hvSockets: hvSockets.list(),
        connections: server.connectionInfo(),
        calls: faults.callCounts(),
        faults: [...faults.list().map(faultView), ...guestFaults.list().map(guestFaultView)],
    } as unknown as SimulatorState);

    const snapshotWithGuests = () => {
        const snapshot = service.snapshot();
        return { ...snapshot, systems: snapshot.systems.map((s) => ({ ...s, guest: guests.view(String(s.id)) })) };
    };

    const handle = (req: ControlRequest): unknown => {
        switch (req.cmd) {
            case "ping":
                return { pid: process.pid, root };
            case "state":
                return state();
            case "stop":
                setImmediate(() => void stop());
                return { stopping: true };
            case "kill":
                service.kill(String(req.id));
                return { killed: req.id };
            case "fault":
                switch (req.action) {
                    case "fail":
                        return faultView(faults.addFail(req.fn, parseHresult(String(req.hresult)), req.nth ?? 1, req.times ?? 1));
                    case "latency":
                        return faultView(faults.addLatency(req.fn, Number(req.ms)));
                    case "hang":
                        return faultView(faults.addHang(req.fn));
                    case "crash":
                        if (req.fn === undefined) {
                            simLog.warn("fault injection: crashing the service now");
                            setImmediate(crash);
                            return { crashing: true };
                        }
                        return faultView(faults.addCrash(req.fn));
                    case "guest": {
                        const { hresult, ...rest } = req;
                        return guestFaultView(guestFaults.add({ ...rest, ...(hresult !== undefined ? { hresult: parseHresult(String(hresult)) } : {}) }));
                    }
                    case "clear":
                        // Without a function, every fault goes, the guests' too; `clear GCS` clears only theirs.
                        if (req.fn === "GCS") return { removed: guestFaults.clear() };
                        return { removed: faults.clear(req.fn) + (req.fn === undefined ? guestFaults.clear() : 0) };
                    case "list":
                        return [...faults.list().map(faultView), ...guestFaults.list().map(guestFaultView)];
                }
        }
        throw new Error(`Unknown control request ${JSON.stringify(req)}`);
    };

    const control = net.createServer((socket) => {
        onLines(socket, (line) => {
            let id = 0;
            let response: ControlResponse;
            try {
                const req = JSON.parse(line) as ControlRequest & { id?: number };
                id = typeof req.id === "number" ? req.id : 0;
                response = { id, ok: true, result: handle(req) ?? null };
            } catch (err) {
                response = { id, ok: false, error: (err as Error).message };
            }
            // A `kill` changed the host: it is on disk before the caller hears so (as for HCS calls).
            service.flush();
            socket.write(`${JSON.stringify(response)}\n`);
        });
        socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
        control.once("error", reject);
        control.listen(controlPath, () => resolve());
    });
    fs.chmodSync(controlPath, 0o600);

    const ready: ReadyInfo = {
        host: formatHostTarget({ kind: "sim", transport: "unix", socketPath }),
        tcpHost: tcp && server.tcpAddress ? formatHostTarget({ kind: "sim", transport: "tcp", host: "127.0.0.1", port: parseTcp(server.tcpAddress).port }) : null,
        socket: socketPath,
        address: `unix:${socketPath}`,
        tcp: server.tcpAddress,
        secret: secret ?? null,
        control: controlPath,
        pid: process.pid,
        root,
    };
    writeFileAtomic(pidFile, `${process.pid}\n`, 0o644);
    writeFileAtomic(path.join(root, READY_FILE), `${JSON.stringify(ready)}\n`, 0o600);
    simLog.info({ root, socket: socketPath, tcp: server.tcpAddress, build: options.build, logicalProcessors: options.logicalProcessors, systems: service.systemIds().length },
        "simulator ready");
    return { ready, stopped, stop };
}
