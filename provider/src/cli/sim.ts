/**
 * `pulumi-hcs sim`: runs and controls the HCS simulator (docs/simulator.md).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ControlClient } from "../../sim/service/control-client";
import type { SimulatorState } from "../../sim/service/control-protocol";
import { providerRoot } from "../../sim/service/launch";
import { alreadyRunningMessage, DEFAULT_BUILD, READY_FILE, runningSimulatorPid, runService, type ReadyInfo } from "../../sim/service/run-service";
import { DEFAULT_GUEST_BOOT_DELAY_MS } from "../../sim/service/guest/guests";
import { DEFAULT_LAYER, seedLayers } from "../../sim/service/seed-layers";
import { linesSinceStart, openServiceLog } from "../../sim/service/service-log";

const HELP: Record<string, string> = {
    main: `usage: pulumi-hcs sim --root DIR [options]          run the HCS simulator service
       pulumi-hcs sim <command> --root DIR ...        control a running simulator

The simulator plays the Windows Host Compute Service (vmcompute) on Linux: the native library
(libhcssim.so) exports computecore's functions and forwards them to this service.

options (run):
  --root DIR                 the simulated host's folder: state, sockets, Windows paths under DIR/fs/<drive>/
  --socket PATH              Unix socket for the native library (default DIR/hcs.sock)
  --tcp 127.0.0.1:PORT       also listen on TCP (port 0 picks one); clients must send the printed secret
  --logical-processors N     host logical processors (default: this machine's, ${os.availableParallelism()})
  --build N                  Windows build the host reports (default ${DEFAULT_BUILD}; 17763 or later)
  --guest-boot-delay MS      how long a started VM's guest takes to dial its host (default ${DEFAULT_GUEST_BOOT_DELAY_MS})
  --detach                   start in the background, print the ready line, exit 0 (pid in DIR/sim.pid,
                             log in DIR/sim.log, mode 0600)

When ready the service prints one JSON line on stdout (also written to DIR/sim.json, mode 0600):
  {"host":"sim:/abs/DIR/hcs.sock","tcpHost":"sim:tcp:127.0.0.1:PORT"|null,"secret":...|null,
   "socket":...,"address":"unix:...","tcp":...|null,"control":...,"pid":...,"root":...}
"host" is the host string the provider and the operator commands take, as it is:
  export PULUMI_HCS_HOST=sim:/abs/DIR/hcs.sock        (or a resource's host input, or --host)
Over TCP use "tcpHost" and the secret:
  export PULUMI_HCS_HOST=sim:tcp:127.0.0.1:PORT PULUMI_HCS_SIM_SECRET=<secret>
The simulator's library alone (PULUMI_HCS_SIM) takes "address", or tcp:<tcp>.

commands:
  stop          stop a running simulator
  state         show systems and their guests, handles, connections, grants, open disks, Hyper-V
                sockets, call counts and faults
  fault         inject failures, latency, hangs or crashes into HCS calls, or break VMs' guests
  kill          make a compute system die behind its clients' backs
  seed-layers   lay out a fake WCOW base layer under the root

Run \`pulumi-hcs sim <command> --help\` for a command's options.
`,
    stop: `usage: pulumi-hcs sim stop --root DIR

Stops the simulator running on DIR (through its control socket; falls back to SIGTERM).
`,
    state: `usage: pulumi-hcs sim state --root DIR [--json]

Shows the simulated host: compute systems (state, owner, runtime ID, open handles), client
connections and their handles, file-access grants, the virtual disks live systems hold open, how
often each HCS function was called, and the active faults. --json prints the same as one JSON object.
`,
    fault: `usage: pulumi-hcs sim fault --root DIR <action> ...

actions:
  fail <HcsFunction> --hresult HR [--nth N] [--times K]
        make the Nth next call of the function fail with HR (e.g. 0x80370118), K times in a row
        (default N=1, K=1); async functions complete their operation with HR, sync ones return it
  latency <HcsFunction> <ms>
        delay every call of the function by <ms> milliseconds (until cleared)
  hang <HcsFunction>
        hold every call of the function until the faults are cleared (then it runs)
  crash [--on <HcsFunction>]
        kill the service abruptly: now, or when the next call of that function arrives
  clear [<HcsFunction>]
        remove every fault (or the function's); held calls proceed
  list
        print the active faults
  guest <mode> [--id ID] [--delay-ms N] [--at REQUEST] [--version N] [--hresult HR]
        break the guest of every VM that starts from now on (or of compute system ID), until cleared:
          never-dial              the guest never dials its host
          dial-late --delay-ms N  the guest dials N ms after its VM starts
          close-mid-negotiation   the guest closes the connection when NegotiateProtocol arrives
          unsupported-version     the guest speaks only protocol --version (default 5)
          stop-answering          from request --at on (default NegotiateProtocol), the guest answers nothing
          fail-request            the guest answers --at (default ModifySettings) with --hresult (default 0x80004005)
        \`clear GCS\` removes only the guests' faults

HcsFunction is a computecore name, e.g. HcsStartComputeSystem, HcsCreateComputeSystem,
HcsGetServiceProperties. Functions that run inside the client library (HcsCreateOperation,
HcsWaitForOperationResult, ...) cannot be faulted.
`,
    kill: `usage: pulumi-hcs sim kill --root DIR <compute-system-id>

The system stops as if its worker process died: State Stopped, ExitType UnexpectedExit, a
SystemExited event to every registered callback; it disappears once no handle to it remains.
`,
    "seed-layers": `usage: pulumi-hcs sim seed-layers --root DIR [--layer 'C:\\layers\\base']

Creates a fake WCOW base layer under DIR/fs: <layer>\\UtilityVM\\Files\\ with a few small files and
<layer>\\UtilityVM\\SystemTemplate.vhdx (a small file starting with the VHDX signature). Existing files
are left alone; prints what it made. Does not need a running service.
`,
};

class UsageError extends Error {}

/** The hidden option --detach starts its service with. */
const DETACHED_SERVICE = "detached-service";

interface Parsed {
    readonly values: Record<string, string | boolean | undefined>;
    readonly positionals: string[];
}

function parse(args: string[], options: ParseArgsConfig["options"]): Parsed {
    try {
        const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
        return { values: values as Parsed["values"], positionals };
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}

function requireRoot(values: Record<string, unknown>): string {
    const root = values.root;
    if (typeof root !== "string" || root === "") throw new UsageError("--root DIR is required");
    return path.resolve(root);
}

function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
    const v = values[name];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${String(v)}'`);
    return n;
}

/** Entry point of `pulumi-hcs sim`; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
    const command = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : "run";
    const rest = command === "run" ? args : args.slice(1);
    try {
        switch (command) {
            case "run":
                return await runCommand(rest);
            case "stop":
                return await stopCommand(rest);
            case "state":
                return await stateCommand(rest);
            case "fault":
                return await faultCommand(rest);
            case "kill":
                return await killCommand(rest);
            case "seed-layers":
                return seedCommand(rest);
            case "help":
                process.stdout.write(HELP.main!);
                return 0;
            default:
                throw new UsageError(`unknown command '${command}'`);
        }
    } catch (err) {
        if (err instanceof UsageError) {
            process.stderr.write(`pulumi-hcs sim: ${err.message}\n\n${HELP[command] ?? HELP.main}`);
            return 2;
        }
        process.stderr.write(`pulumi-hcs sim${command === "run" ? "" : ` ${command}`}: ${(err as Error).message}\n`);
        return 1;
    }
}

async function runCommand(args: string[]): Promise<number> {
    const { values } = parse(args, {
        root: { type: "string" },
        socket: { type: "string" },
        tcp: { type: "string" },
        "logical-processors": { type: "string" },
        build: { type: "string" },
        "guest-boot-delay": { type: "string" },
        detach: { type: "boolean" },
        "exit-with-stdin": { type: "boolean" },
        // Internal: the service --detach started. Its stdout is sim.log, which must not hold the
        // secret, so it prints no ready line; --detach prints sim.json's instead.
        [DETACHED_SERVICE]: { type: "boolean" },
    });
    if (values.help) {
        process.stdout.write(HELP.main!);
        return 0;
    }
    const root = requireRoot(values);
    if (values.detach) return detach(args.filter((a) => a !== "--detach"), root);
    const service = await runService({
        root,
        socket: values.socket as string | undefined,
        tcp: values.tcp as string | undefined,
        logicalProcessors: intOption(values, "logical-processors", os.availableParallelism()),
        build: intOption(values, "build", DEFAULT_BUILD),
        guestBootDelayMs: intOption(values, "guest-boot-delay", DEFAULT_GUEST_BOOT_DELAY_MS),
    });
    if (!values[DETACHED_SERVICE]) process.stdout.write(`${JSON.stringify(service.ready)}\n`);
    const stop = () => void service.stop();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    if (values["exit-with-stdin"]) {
        process.stdin.on("end", stop);
        process.stdin.on("close", stop);
        process.stdin.resume();
    }
    await service.stopped;
    process.stdin.destroy();
    return 0;
}

/**
 * Starts the service in the background and waits for its ready file. A root a simulator already
 * serves is refused here, in one line, before anything is started or written.
 */
async function detach(args: string[], root: string): Promise<number> {
    const running = await runningSimulatorPid(root);
    if (running !== undefined) throw new Error(alreadyRunningMessage(root, running));
    fs.mkdirSync(root, { recursive: true });
    const readyFile = path.join(root, READY_FILE);
    fs.rmSync(readyFile, { force: true });
    const log = openServiceLog(root);
    const bin = path.join(providerRoot(), "bin", "pulumi-hcs.js");
    const child = spawn(process.execPath, [bin, "sim", ...args, `--${DETACHED_SERVICE}`], { detached: true, stdio: ["ignore", log.fd, log.fd], env: process.env });
    fs.closeSync(log.fd);
    let exited: string | undefined;
    child.once("exit", (code, signal) => (exited = signal ?? `code ${code}`));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
        if (fs.existsSync(readyFile)) {
            try {
                const ready = JSON.parse(fs.readFileSync(readyFile, "utf8")) as ReadyInfo;
                if (ready.pid === child.pid) {
                    child.unref();
                    process.stdout.write(`${JSON.stringify(ready)}\n`);
                    return 0;
                }
            } catch {
                // partially written; try again
            }
        }
        if (exited !== undefined) break;
        await new Promise((r) => setTimeout(r, 50));
    }
    if (exited === undefined) child.kill("SIGKILL");
    // This start's lines only: an earlier run's would read as this one's failure.
    const tail = linesSinceStart(log);
    throw new Error(`the background service did not become ready (${exited ? `it exited: ${exited}` : "timed out"})` +
        (tail ? `; its last lines in ${log.path}:\n${tail}` : ""));
}

async function stopCommand(args: string[]): Promise<number> {
    const { values } = parse(args, { root: { type: "string" } });
    if (values.help) {
        process.stdout.write(HELP.stop!);
        return 0;
    }
    const root = requireRoot(values);
    const pidFile = path.join(root, "sim.pid");
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").trim()) : undefined;
    try {
        await new ControlClient(root).stop();
    } catch (err) {
        if (pid === undefined || !Number.isInteger(pid)) throw new Error(`no simulator is running on ${root} (${(err as Error).message})`);
        try {
            process.kill(pid, "SIGTERM");
        } catch {
            throw new Error(`no simulator is running on ${root} (pid ${pid} from sim.pid is gone)`);
        }
    }
    if (pid !== undefined && Number.isInteger(pid)) {
        const deadline = Date.now() + 10000;
        while (Date.now() < deadline && processRunning(pid)) await new Promise((r) => setTimeout(r, 50));
    }
    process.stdout.write(`stopped the simulator on ${root}\n`);
    return 0;
}

/**
 * Whether a process runs. A detached service's parent has exited, so once it stops it may linger as a
 * zombie until init reaps it; that counts as stopped.
 */
export function processRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return true; // no /proc: trust kill(0)
    }
}

function table(rows: string[][]): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

export function formatState(s: SimulatorState): string {
    const lines = [
        `simulator pid ${s.pid}, root ${s.root}, build ${s.build}, ${s.logicalProcessors} logical processors`,
        `socket ${s.socket}${s.tcp ? `, tcp ${s.tcp}` : ""}`,
        "",
        `systems (${s.systems.length}):`,
        s.systems.length === 0 ? "  none" : table([
            ["  ID", "STATE", "OWNER", "RUNTIME ID", "HANDLES", "TERMINATE-ON-CLOSE", "MEMORY MB", "CPUS", "GUEST"],
            ...s.systems.map((x) => [`  ${x.id}`, x.state + (x.exitType ? ` (${x.exitType})` : ""), x.owner || "-", x.runtimeId, String(x.handles),
                String(x.terminateOnLastHandleClosed), String(x.memorySizeInMB), String(x.processorCount), x.guest?.phase ?? "-"]),
        ]),
        "",
        `hyper-v sockets (${(s.hvSockets ?? []).length}):`,
        (s.hvSockets ?? []).length === 0 ? "  none" : table([
            ["  VM ID", "SERVICE ID", "PID", "ADDRESS"],
            ...s.hvSockets.map((h) => [`  ${h.vmId}`, h.serviceId, String(h.pid ?? "-"), h.address]),
        ]),
        "",
        `connections (${s.connections.length}):`,
        s.connections.length === 0 ? "  none" : table([
            ["  ID", "PID", "TRANSPORT", "HANDLES"],
            ...s.connections.map((c) => [`  ${c.id}`, String(c.pid ?? "-"), c.transport,
                c.handles.map((h) => `${h.id}→${h.system ?? "(none)"}${h.callback ? "+cb" : ""}`).join(", ") || "-"]),
        ]),
        "",
        `grants (${s.grants.length}):`,
        s.grants.length === 0 ? "  none" : table([
            ["  PATH", "VM IDS", "VM GROUP"],
            ...s.grants.map((g) => [`  ${g.path}`, g.vmIds.join(", ") || "-", String(g.group)]),
        ]),
        "",
        `open disks (${s.openDisks.length}):`,
        s.openDisks.length === 0 ? "  none" : table([
            ["  PATH", "SYSTEM", "MODE"],
            ...s.openDisks.map((d) => [`  ${d.path}`, d.system, d.readOnly ? "read-only" : "read-write"]),
        ]),
        "",
        "calls:",
        Object.keys(s.calls).length === 0 ? "  none" : table(Object.entries(s.calls).map(([fn, n]) => [`  ${fn}`, String(n)])),
        "",
        `faults (${s.faults.length}):`,
        s.faults.length === 0 ? "  none" : s.faults.map((f) => `  ${JSON.stringify(f)}`).join("\n"),
    ];
    return `${lines.join("\n")}\n`;
}

async function stateCommand(args: string[]): Promise<number> {
    const { values } = parse(args, { root: { type: "string" }, json: { type: "boolean" } });
    if (values.help) {
        process.stdout.write(HELP.state!);
        return 0;
    }
    const state = await new ControlClient(requireRoot(values)).state();
    process.stdout.write(values.json ? `${JSON.stringify(state, null, 2)}\n` : formatState(state));
    return 0;
}

async function faultCommand(args: string[]): Promise<number> {
    const { values, positionals } = parse(args, {
        root: { type: "string" },
        hresult: { type: "string" },
        nth: { type: "string" },
        times: { type: "string" },
        on: { type: "string" },
        id: { type: "string" },
        "delay-ms": { type: "string" },
        at: { type: "string" },
        version: { type: "string" },
    });
    if (values.help) {
        process.stdout.write(HELP.fault!);
        return 0;
    }
    const control = new ControlClient(requireRoot(values));
    const [action, fn, extra] = positionals;
    const needFn = () => {
        if (!fn) throw new UsageError(`fault ${action} needs an HcsFunction name`);
        return fn;
    };
    let result: unknown;
    switch (action) {
        case "fail":
            if (values.hresult === undefined) throw new UsageError("fault fail needs --hresult (e.g. --hresult 0x80370118)");
            result = await control.failNext(needFn(), values.hresult as string, { nth: intOption(values, "nth", 1), times: intOption(values, "times", 1) });
            break;
        case "latency": {
            const ms = Number(extra);
            if (extra === undefined || !Number.isFinite(ms)) throw new UsageError("fault latency needs <HcsFunction> <milliseconds>");
            result = await control.latency(needFn(), ms);
            break;
        }
        case "hang":
            result = await control.hang(needFn());
            break;
        case "crash":
            if (values.on !== undefined) result = await control.request({ cmd: "fault", action: "crash", fn: values.on as string });
            else {
                await control.crash();
                result = { crashed: true };
            }
            break;
        case "guest":
            if (!fn) throw new UsageError("fault guest needs a mode: never-dial, dial-late, close-mid-negotiation, unsupported-version, stop-answering or fail-request");
            result = await control.guestFault(fn, {
                ...(values.id !== undefined ? { system: values.id as string } : {}),
                ...(values["delay-ms"] !== undefined ? { delayMs: intOption(values, "delay-ms", 0) } : {}),
                ...(values.at !== undefined ? { at: values.at as string } : {}),
                ...(values.version !== undefined ? { version: intOption(values, "version", 0) } : {}),
                ...(values.hresult !== undefined ? { hresult: values.hresult as string } : {}),
            });
            break;
        case "clear":
            result = await control.clearFaults(fn);
            break;
        case "list":
            result = await control.listFaults();
            break;
        default:
            throw new UsageError(action === undefined ? "fault needs an action" : `unknown fault action '${action}'`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
}

async function killCommand(args: string[]): Promise<number> {
    const { values, positionals } = parse(args, { root: { type: "string" } });
    if (values.help) {
        process.stdout.write(HELP.kill!);
        return 0;
    }
    const id = positionals[0];
    if (!id) throw new UsageError("kill needs a compute-system ID");
    await new ControlClient(requireRoot(values)).kill(id);
    process.stdout.write(`killed ${id} (Stopped, UnexpectedExit)\n`);
    return 0;
}

function seedCommand(args: string[]): number {
    const { values } = parse(args, { root: { type: "string" }, layer: { type: "string" } });
    if (values.help) {
        process.stdout.write(HELP["seed-layers"]!);
        return 0;
    }
    const result = seedLayers(requireRoot(values), (values.layer as string | undefined) ?? DEFAULT_LAYER);
    for (const p of result.created) process.stdout.write(`created ${p}\n`);
    for (const p of result.existing) process.stdout.write(`exists  ${p}\n`);
    return 0;
}
