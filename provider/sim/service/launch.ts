/**
 * Starts the simulator service as a child process (`node provider/bin/pulumi-hcs.js sim ...`) for
 * tests and programs, and tells clients where the native library is.
 *
 * The service always runs in a separate process from the koffi client: a client's synchronous call
 * blocks its own event loop, which would stop an in-process service from answering it.
 *
 * This module is also imported by the provider at run time (simulated hosts), so importing it must
 * stay cheap: it starts nothing until asked.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localPathOfServiceDirectory } from "../../src/platform";
import { ControlClient } from "./control-client";
import { providerRoot, simulatorLibraryPath } from "./library-path";
import { linesSinceStart, openServiceLog } from "./service-log";
import type { ReadyInfo } from "./run-service";
import { LAUNCHER_ENV, launcherFromEnv, startSimulatorThroughLauncher } from "./sim-launcher-client";

// Re-exported for callers that start simulators; the provider imports library-path directly.
export { providerRoot, simulatorLibraryPath };

export interface StartSimulatorOptions {
    /** The simulated host's root; @default a new temporary folder, removed by `stop()`. */
    readonly root?: string;
    /** @default os.availableParallelism() */
    readonly logicalProcessors?: number;
    /** @default 20348 */
    readonly build?: number;
    /** How long a started VM's guest takes to dial its host, in ms. @default 20 */
    readonly guestBootDelayMs?: number;
    /** Also listen on TCP 127.0.0.1 (with a secret), and make `address` the TCP one. @default false */
    readonly tcp?: boolean;
    /** Extra environment for the service process (e.g. PULUMI_HCS_LOG_LEVEL). */
    readonly env?: NodeJS.ProcessEnv;
    /** How long to wait for the ready line. @default 20000 */
    readonly readyTimeoutMs?: number;
}

export interface RunningSimulator {
    /** The simulated host's root, as this process opens it. */
    readonly root: string;
    /** The PULUMI_HCS_SIM value for clients (changes only if a restart cannot reuse it). */
    readonly address: string;
    /** The TCP secret (PULUMI_HCS_SIM_SECRET), when `tcp` was asked for. */
    readonly secret?: string;
    /** The environment variables a client process needs. */
    readonly env: Readonly<Record<string, string>>;
    readonly control: ControlClient;
    readonly pid: number;
    /** The service's ready line: its own view (POSIX paths, also when started through a launcher). */
    readonly ready: ReadyInfo;
    /** The native library clients load. */
    readonly libraryPath: string;
    /** Stops the service cleanly; removes the root if this module made it. */
    stop(): Promise<void>;
    /** Kills the service abruptly (SIGKILL), leaving its state as a crash would. */
    crash(): Promise<void>;
    /** Starts the service again on the same root (same address and secret); stops it first if running. */
    restart(): Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
        }, timeoutMs);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

interface Spawned {
    child: ChildProcess;
    ready: ReadyInfo;
}

function spawnService(args: string[], env: NodeJS.ProcessEnv, root: string, timeoutMs: number): Promise<Spawned> {
    const provider = providerRoot();
    const bin = path.join(provider, "bin", "pulumi-hcs.js");
    if (!fs.existsSync(path.join(provider, "dist", "src", "cli", "main.js"))) {
        return Promise.reject(new Error(`Cannot start the simulator: ${provider}/dist is missing; run \`npm run build -w provider\` first`));
    }
    fs.mkdirSync(root, { recursive: true });
    // The ready line, with the secret, comes on stdout (a pipe); only stderr goes to the log.
    const log = openServiceLog(root);
    // stdin stays a pipe: the service exits when it closes, so a test that dies leaves no service behind.
    const child = spawn(process.execPath, [bin, "sim", ...args, "--exit-with-stdin"], { env, stdio: ["pipe", "pipe", log.fd] });
    fs.closeSync(log.fd);
    return new Promise<Spawned>((resolve, reject) => {
        let out = "";
        let done = false;
        const fail = (why: string) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            child.kill("SIGKILL");
            reject(new Error(`Cannot start the simulator (${why}); its last lines in ${log.path}:\n${linesSinceStart(log)}`));
        };
        const timer = setTimeout(() => fail(`no ready line within ${timeoutMs} ms`), timeoutMs);
        child.stdout!.setEncoding("utf8");
        child.stdout!.on("data", (chunk: string) => {
            out += chunk;
            const nl = out.indexOf("\n");
            if (nl < 0 || done) return;
            try {
                const ready = JSON.parse(out.slice(0, nl)) as ReadyInfo;
                done = true;
                clearTimeout(timer);
                child.stdout!.resume(); // nothing else is printed, but never let the pipe fill
                // A simulator someone forgot to stop must not keep this process alive; when this
                // process exits, the service's stdin closes and it stops too.
                child.unref();
                (child.stdin as unknown as { unref?: () => void }).unref?.();
                (child.stdout as unknown as { unref?: () => void }).unref?.();
                resolve({ child, ready });
            } catch (err) {
                fail(`unreadable ready line: ${(err as Error).message}`);
            }
        });
        child.once("error", (err) => fail(err.message));
        child.once("exit", (code, signal) => fail(`the service exited (${signal ?? `code ${code}`}) before it was ready`));
    });
}

/**
 * Starts a simulator service and waits until it is ready: `pulumi-hcs sim` in a child process, or,
 * when `PULUMI_HCS_SIM_LAUNCHER` names a simulator launcher, one the launcher starts on its side
 * (then always on TCP, `root` as this process opens it; see `sim-launcher-client.ts`). This is how
 * the Windows test run gets Linux simulators: one code path for the tests on both.
 * @throws Error when the provider is not built or the service does not come up (its log tail is included).
 */
export function startSimulatorProcess(opts: StartSimulatorOptions = {}): Promise<RunningSimulator> {
    let launcher;
    try {
        launcher = launcherFromEnv();
    } catch (err) {
        return Promise.reject(new Error(`Cannot start the simulator: ${(err as Error).message}`, { cause: err }));
    }
    if (launcher) {
        return startSimulatorThroughLauncher(launcher, opts, localPathOfServiceDirectory, simulatorLibraryPath()).catch((err: unknown) => {
            throw new Error(`Cannot start the simulator through ${LAUNCHER_ENV}: ${(err as Error).message}`, { cause: err });
        });
    }
    return startLocalSimulatorProcess(opts);
}

/**
 * Spawns `pulumi-hcs sim` with this process's node and waits until it is ready (what the launcher
 * itself calls).
 * @throws Error as {@link startSimulatorProcess}.
 */
export async function startLocalSimulatorProcess(opts: StartSimulatorOptions = {}): Promise<RunningSimulator> {
    const ownsRoot = opts.root === undefined;
    const root = path.resolve(opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "hcs-sim-")));
    const timeout = opts.readyTimeoutMs ?? 20000;
    const baseArgs = ["--root", root];
    if (opts.logicalProcessors !== undefined) baseArgs.push("--logical-processors", String(opts.logicalProcessors));
    if (opts.build !== undefined) baseArgs.push("--build", String(opts.build));
    if (opts.guestBootDelayMs !== undefined) baseArgs.push("--guest-boot-delay", String(opts.guestBootDelayMs));
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_HCS_LOG_LEVEL: process.env.PULUMI_HCS_LOG_LEVEL ?? "warn", ...opts.env };
    delete env.PULUMI_HCS_SIM_SECRET;

    let current = await spawnService(opts.tcp ? [...baseArgs, "--tcp", "127.0.0.1:0"] : baseArgs, env, root, timeout);
    const secret = current.ready.secret ?? undefined;
    const tcpAddress = current.ready.tcp;
    const address = opts.tcp ? `tcp:${tcpAddress}` : current.ready.address;
    const clientEnv: Record<string, string> = { PULUMI_HCS_SIM: address };
    if (secret !== undefined) clientEnv.PULUMI_HCS_SIM_SECRET = secret;

    const sim: RunningSimulator & { pid: number; ready: ReadyInfo } = {
        root,
        address,
        secret,
        env: clientEnv,
        control: new ControlClient(current.ready.control),
        pid: current.ready.pid,
        ready: current.ready,
        libraryPath: simulatorLibraryPath(),
        async stop() {
            await stopChild();
            if (ownsRoot) fs.rmSync(root, { recursive: true, force: true });
        },
        async crash() {
            current.child.kill("SIGKILL");
            await waitForExit(current.child, 5000);
        },
        async restart() {
            await stopChild();
            const args = opts.tcp ? [...baseArgs, "--tcp", tcpAddress!] : baseArgs;
            current = await spawnService(args, secret !== undefined ? { ...env, PULUMI_HCS_SIM_SECRET: secret } : env, root, timeout);
            sim.pid = current.ready.pid;
            sim.ready = current.ready;
        },
    };

    async function stopChild(): Promise<void> {
        const child = current.child;
        if (child.exitCode !== null || child.signalCode !== null) return;
        await sim.control.stop().catch(() => child.kill("SIGTERM"));
        await waitForExit(child, 10000);
    }

    return sim;
}
