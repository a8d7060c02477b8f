/**
 * The host agent a pulumi-hcs-agent series goes through: `pulumi-hcs agent` as its own process in
 * front of the series' simulated host, on 127.0.0.1 with mutual TLS, with a fresh PKI made by the
 * tests' PKI maker (test/support/pki.ts, compiled to bench/pki/dist), one client certificate with
 * the operator role, and the roots the bench programs' layer and scratch folders lie under.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createPki } from "../pki/dist/pki";
import { PROVIDER_CLI } from "./paths";

/** The client certificate's common name, and so its identity in the roles file and the audit log. */
const CLIENT = "bench";
/** Where bench/programs/shared/vm-inputs.ts puts the base layer (C:\layers\base) and the VMs' scratch folders (C:\uvms\bench\vm-<i>). */
const ROOTS = { layer: "C:\\layers", scratch: "C:\\uvms" } as const;
/** The agent's output kept for error messages: its last bytes. */
const OUTPUT_TAIL = 64 * 1024;

export interface BenchAgent {
    /** `grpcs://127.0.0.1:<port>`: what PULUMI_HCS_HOST is set to for the series. */
    readonly address: string;
    /** The client credentials, as the provider reads them from the environment. */
    readonly clientEnv: Readonly<Record<string, string>>;
    /** What the agent wrote on stdout and stderr (the last 64 KB). */
    output(): string;
    /** SIGTERM, and wait for it to exit. */
    stop(): Promise<void>;
}

/**
 * Starts an agent owning `host` and waits until it serves.
 * @param dir a fresh folder for its PKI, roles file and state (the VM records and audit.log).
 * @param env extra environment for the agent process (NODE_OPTIONS when profiling it).
 * @throws Error when it exits or does not serve within 30 s, with what it wrote.
 */
export async function startBenchAgent(host: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<BenchAgent> {
    const pki = createPki(path.join(dir, "pki"));
    const server = pki.server({ name: "agent" });
    const client = pki.client(CLIENT);
    const roles = path.join(dir, "roles.json");
    fs.writeFileSync(roles, JSON.stringify({ operator: [CLIENT] }));
    const args = [
        PROVIDER_CLI, "agent",
        "--listen", "127.0.0.1:0",
        "--host", host,
        "--cert", server.cert, "--key", server.key, "--client-ca", pki.ca.cert,
        "--roles", roles, "--state-dir", path.join(dir, "state"),
        "--layer-root", ROOTS.layer, "--scratch-root", ROOTS.scratch,
    ];
    const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const append = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.length > 2 * OUTPUT_TAIL) output = output.slice(-OUTPUT_TAIL);
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
    };
    let port: number;
    try {
        port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the agent did not serve within 30 s:\n${output}`)), 30_000);
            child.stdout!.on("data", () => {
                const match = /serving on port (\d+)/.exec(output);
                if (match) {
                    clearTimeout(timer);
                    resolve(Number(match[1]));
                }
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`the agent exited (${signal ?? code}) before serving:\n${output}`));
            });
        });
    } catch (err) {
        await stop();
        throw err;
    }
    return {
        address: `grpcs://127.0.0.1:${port}`,
        clientEnv: { PULUMI_HCS_AGENT_CA: pki.ca.cert, PULUMI_HCS_AGENT_CERT: client.cert, PULUMI_HCS_AGENT_KEY: client.key },
        output: () => output.slice(-OUTPUT_TAIL),
        stop,
    };
}
