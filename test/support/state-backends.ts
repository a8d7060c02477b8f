/**
 * Shared Pulumi state backends as teams run them, started locally and offline for tests: PostgreSQL
 * (Debian's postgresql-15, scripts/ensure-debian-packages.sh installs it) behind Pulumi's postgres://
 * backend, and Azure Blob (npm's azurite, a devDependency) behind its azblob:// backend. Each server
 * gets its own folder under os.tmpdir() and a free port on 127.0.0.1, and can be restarted on the
 * same data and port, or killed, while a Pulumi run uses it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { createBlobContainer } from "./azure-blob-container";
import { freePort } from "./free-port";

const run = promisify(execFile);

/** What a Pulumi CLI needs to use a backend: the `pulumi login` URL, and the credentials it reads from the environment. */
export interface StateBackend {
    readonly kind: "postgres" | "azblob";
    /** The PULUMI_BACKEND_URL (or `pulumi login` argument). */
    readonly url: string;
    /** Environment the CLI needs besides the URL (empty for PostgreSQL, whose URL carries the password). */
    readonly env: Readonly<Record<string, string>>;
    /** The server's folder: its data and its log. */
    readonly dir: string;
    /** The server's output so far (for a failing test's message). */
    log(): string;
    /** Stops the server cleanly, and removes its folder if this module made it. */
    stop(): Promise<void>;
    /** Stops the server cleanly (when running) and starts it again on the same data and port. */
    restart(): Promise<void>;
    /** SIGKILL: the server dies as in a crash; `restart()` brings it back on what it left. */
    kill(): Promise<void>;
}

/** A server process this module started, and how to end it. */
interface ServerProcess {
    readonly child: ChildProcess;
    readonly exited: Promise<void>;
}

function track(child: ChildProcess): ServerProcess {
    const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("exit", () => resolve());
    });
    return { child, exited };
}

/** Sends `signal`, then SIGKILL if the process has not exited within `graceMs`. */
async function end(server: ServerProcess | undefined, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
    if (server === undefined || server.child.exitCode !== null || server.child.signalCode !== null) return;
    server.child.kill(signal);
    const timer = setTimeout(() => server.child.kill("SIGKILL"), graceMs);
    await server.exited;
    clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, server: ServerProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
            throw new Error(`${what} exited (${server.child.exitCode ?? server.child.signalCode}) before it was ready:\n${log()}`);
        }
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${log()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

function readLog(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

function folderFor(kind: string, dir: string | undefined): { dir: string; made: boolean } {
    if (dir !== undefined) {
        fs.mkdirSync(dir, { recursive: true });
        return { dir, made: false };
    }
    return { dir: fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-hcs-${kind}-`)), made: true };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/**
 * PostgreSQL refuses to run as root. Under root (CI machines, this one) the server runs as the
 * `postgres` account Debian's postgresql-common creates for exactly this, with setpriv (util-linux)
 * dropping to it; as any other user it runs as that user.
 */
function serverAccount(): { prefix: string[]; uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
    if (line === undefined) throw new Error("running as root, and there is no `postgres` account to run PostgreSQL as: install postgresql-15 (scripts/ensure-debian-packages.sh)");
    const [, , uid, gid] = line.split(":");
    return { prefix: ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"], uid: Number(uid), gid: Number(gid) };
}

/**
 * A PostgreSQL 15 server in its own data folder, listening on 127.0.0.1 only (and a Unix socket in
 * its folder), with a `pulumi` role (password authentication) owning a `pulumi` database; Pulumi's
 * backend makes its `pulumi_state` table there on first use.
 */
export async function startPostgres(dir?: string): Promise<StateBackend> {
    if (!fs.existsSync(path.join(POSTGRES_BIN, "postgres"))) {
        throw new Error(`PostgreSQL 15 is not installed (${POSTGRES_BIN}): run scripts/ensure-debian-packages.sh as root`);
    }
    const folder = folderFor("postgres", dir);
    const account = serverAccount();
    if (account !== undefined) fs.chownSync(folder.dir, account.uid, account.gid);
    const asServer = (command: string, args: string[]): [string, string[]] =>
        account === undefined ? [path.join(POSTGRES_BIN, command), args] : [account.prefix[0]!, [...account.prefix.slice(1), path.join(POSTGRES_BIN, command), ...args]];

    const dataDir = path.join(folder.dir, "data");
    const logFile = path.join(folder.dir, "postgres.log");
    const log = (): string => readLog(logFile);
    const port = await freePort();
    const password = randomBytes(12).toString("hex");
    const superuser = "admin";

    // The superuser logs in over the folder's Unix socket only (trust: it is the server's own
    // account's folder); TCP clients need a password.
    const [initdb, initArgs] = asServer("initdb", ["-D", dataDir, "-U", superuser, "--auth-local=trust", "--auth-host=scram-sha-256",
        "--encoding=UTF8", "--locale=C", "--no-sync"]);
    await run(initdb, initArgs, { cwd: folder.dir });

    let server: ServerProcess | undefined;
    const start = async (): Promise<void> => {
        // After a SIGKILL the old backends may still hold the shared memory for a moment: try again.
        for (let attempt = 1; ; attempt++) {
            const logStart = log().length;
            const out = fs.openSync(logFile, "a");
            const [postgres, args] = asServer("postgres", ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", folder.dir]);
            const candidate = track(spawn(postgres, args, { cwd: folder.dir, stdio: ["ignore", out, out] }));
            fs.closeSync(out);
            try {
                await waitFor("postgres", () => isReady(port), candidate, log);
                server = candidate;
                return;
            } catch (err) {
                if (attempt >= 20 || !/shared memory block|lock file .* already exists/.test(log().slice(logStart))) throw err;
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
        }
    };
    await start();

    const psql = (sql: string): Promise<unknown> => run(path.join(POSTGRES_BIN, "psql"),
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder.dir, "-p", String(port), "-U", superuser, "-d", "postgres", "-c", sql]);
    await psql(`CREATE ROLE pulumi LOGIN PASSWORD '${password}'`);
    await psql("CREATE DATABASE pulumi OWNER pulumi");

    return {
        kind: "postgres",
        url: `postgres://pulumi:${password}@127.0.0.1:${port}/pulumi?sslmode=disable`,
        env: {},
        dir: folder.dir,
        log,
        async stop() {
            // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, the data is checkpointed.
            await end(server, "SIGINT");
            if (folder.made) fs.rmSync(folder.dir, { recursive: true, force: true });
        },
        async restart() {
            await end(server, "SIGINT");
            await start();
        },
        async kill() {
            await end(server, "SIGKILL");
        },
    };
}

async function isReady(port: number): Promise<boolean> {
    try {
        await run(path.join(POSTGRES_BIN, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port)]);
        return true;
    } catch {
        return false;
    }
}

// ---------------------------------------------------------------------------------------------
// Azure Blob (Azurite)

/** Azurite's well-known development account (public, documented by Microsoft; never a real secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const AZURITE_BLOB = path.resolve(__dirname, "../../node_modules/azurite/dist/src/blob/main.js");

/**
 * Azurite's Blob service alone, persisting in its own folder, with a container for Pulumi's state.
 * Telemetry is off: Azurite otherwise reports to Application Insights, and the tests run offline.
 */
export async function startAzurite(dir?: string, container = "pulumi-state"): Promise<StateBackend> {
    if (!fs.existsSync(AZURITE_BLOB)) throw new Error("azurite is not installed: run `npm ci` (it is a devDependency)");
    const folder = folderFor("azurite", dir);
    const logFile = path.join(folder.dir, "azurite.log");
    const log = (): string => readLog(logFile);
    const port = await freePort();
    const serviceUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;

    let server: ServerProcess | undefined;
    const start = async (): Promise<void> => {
        const logStart = log().length;
        const out = fs.openSync(logFile, "a");
        const candidate = track(spawn(process.execPath, [AZURITE_BLOB, "--blobHost", "127.0.0.1", "--blobPort", String(port),
            "--location", path.join(folder.dir, "data"), "--silent", "--disableTelemetry"], { cwd: folder.dir, stdio: ["ignore", out, out] }));
        fs.closeSync(out);
        await waitFor("azurite", async () => log().slice(logStart).includes("successfully listens on"), candidate, log);
        server = candidate;
    };
    await start();
    await createBlobContainer({ serviceUrl, account: AZURITE_ACCOUNT, key: AZURITE_KEY }, container);

    return {
        kind: "azblob",
        // gocloud's azureblob driver puts the account in the path for a domain starting with 127.0.0.1.
        url: `azblob://${container}?domain=127.0.0.1:${port}&protocol=http`,
        env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY },
        dir: folder.dir,
        log,
        async stop() {
            await end(server, "SIGTERM");
            if (folder.made) fs.rmSync(folder.dir, { recursive: true, force: true });
        },
        async restart() {
            await end(server, "SIGTERM");
            await start();
        },
        async kill() {
            await end(server, "SIGKILL");
        },
    };
}
