/**
 * A host agent for tests: `pulumi-hcs agent` as its own process (so it can be killed with SIGKILL and
 * restarted on the same state), in front of a simulated host, with a test-time PKI (pki.ts), a roles
 * file and the client credentials a provider reads from the environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPki, type CertFiles, type Pki } from "./pki";

const CLI = path.resolve(__dirname, "../../provider/bin/pulumi-hcs.js");

/** Roots the test agents accept: where the simulator's layers, the tests' scratch folders and dumps are. */
export const TEST_ROOTS = { layer: "C:\\layers", scratch: "C:\\uvms", dump: "C:\\dumps" } as const;

export interface TestAgentOptions {
    /** The simulated host (`sim:<socket>`) the agent owns. */
    readonly host: string;
    /** Environment for the agent process (a TCP simulator's secret, say). */
    readonly env?: NodeJS.ProcessEnv;
    /** Roles by certificate name; the default gives `operator-1` operator, `reader-1` reader, `admin-1` admin. */
    readonly roles?: Record<string, string[]>;
    /** A folder to keep everything in (a restarted agent reuses it). */
    readonly dir?: string;
    /**
     * The only names the agent's certificate carries (its SANs; CN the first DNS name). By default it
     * names localhost and 127.0.0.1, where the agent listens; other names make a certificate clients must refuse.
     */
    readonly serverNames?: { readonly dnsNames: string[]; readonly ips: string[] };
}

export interface TestAgent {
    /** `grpcs://127.0.0.1:<port>`: the `host` value of VMs on this agent. */
    readonly address: string;
    readonly port: number;
    readonly pki: Pki;
    readonly dir: string;
    readonly stateDir: string;
    readonly auditFile: string;
    readonly serverCert: CertFiles;
    /** The client credentials of each role's client, as environment variables for a provider or the CLI. */
    clientEnv(identity?: string, extra?: { pin?: string }): NodeJS.ProcessEnv;
    /** The audit file's lines, parsed. */
    auditLines(): Record<string, unknown>[];
    /** What the agent wrote on stdout and stderr so far. */
    output(): string;
    /** SIGTERM, and wait for exit. */
    stop(): Promise<void>;
    /** SIGKILL: no cleanup at all. */
    kill(): Promise<void>;
    /** Starts a new agent process on the same state, certificates and port. */
    restart(): Promise<TestAgent>;
}

/** Folders the agents of this test file made (a restarted agent reuses its folder until then). */
const madeDirs = new Set<string>();

/**
 * Removes every folder this file's agents made: call it in the file's afterAll, after stopping them.
 * (This module may first load while tests run, when jest takes no more hooks, so it cannot register one.)
 */
export function removeTestAgentFolders(): void {
    for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true });
    madeDirs.clear();
}

function madeDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-agent-"));
    madeDirs.add(dir);
    return dir;
}

/** Starts an agent and waits until it serves. */
export async function startTestAgent(options: TestAgentOptions, reuse?: { pki: Pki; port: number; serverCert: CertFiles }): Promise<TestAgent> {
    const dir = options.dir ?? madeDir();
    const pki = reuse?.pki ?? createPki(path.join(dir, "pki"));
    const names = options.serverNames;
    const serverCert = reuse?.serverCert ?? pki.server({
        name: "agent",
        ...(names !== undefined ? { cn: names.dnsNames[0] ?? names.ips[0], dnsNames: names.dnsNames, ips: names.ips, withoutDefaultNames: true } : {}),
    });
    const clients = new Map<string, CertFiles>();
    const roles = options.roles ?? { operator: ["operator-1"], reader: ["reader-1"], admin: ["admin-1"] };
    const rolesFile = path.join(dir, "roles.json");
    if (!fs.existsSync(rolesFile) || reuse === undefined) fs.writeFileSync(rolesFile, JSON.stringify(roles));
    const stateDir = path.join(dir, "state");
    const auditFile = path.join(stateDir, "audit.log");
    const args = [
        CLI, "agent",
        "--listen", `127.0.0.1:${reuse?.port ?? 0}`,
        "--host", options.host,
        "--cert", serverCert.cert, "--key", serverCert.key, "--client-ca", pki.ca.cert,
        "--roles", rolesFile, "--state-dir", stateDir,
        "--layer-root", TEST_ROOTS.layer, "--scratch-root", TEST_ROOTS.scratch, "--dump-root", TEST_ROOTS.dump,
    ];
    const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, PULUMI_HCS_LOG_LEVEL: "info", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the agent did not start within 30 s:\n${output}`)), 30_000);
        const look = () => {
            const match = /serving on port (\d+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolve(Number(match[1]));
            }
        };
        child.stdout!.on("data", look);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the agent exited with ${code} before serving:\n${output}`));
        });
    });
    const clientCert = (identity: string): CertFiles => {
        let cert = clients.get(identity);
        if (!cert) {
            const file = path.join(pki.dir, `${identity}.crt`);
            cert = fs.existsSync(file) ? existing(pki, identity) : pki.client(identity);
            clients.set(identity, cert);
        }
        return cert;
    };
    const agent: TestAgent = {
        address: `grpcs://127.0.0.1:${port}`,
        port,
        pki,
        dir,
        stateDir,
        auditFile,
        serverCert,
        clientEnv: (identity = "operator-1", extra = {}) => {
            const cert = clientCert(identity);
            return {
                PULUMI_HCS_AGENT_CA: pki.ca.cert,
                PULUMI_HCS_AGENT_CERT: cert.cert,
                PULUMI_HCS_AGENT_KEY: cert.key,
                ...(extra.pin !== undefined ? { PULUMI_HCS_AGENT_PIN: extra.pin } : {}),
            };
        },
        auditLines: () => fs.existsSync(auditFile)
            ? fs.readFileSync(auditFile, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>)
            : [],
        output: () => output,
        stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
        },
        kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
            await exited;
        },
        restart: async () => {
            await agent.stop();
            return startTestAgent({ ...options, dir }, { pki, port, serverCert });
        },
    };
    return agent;
}

/** A client certificate an earlier agent of the same folder made. */
function existing(pki: Pki, name: string): CertFiles {
    const cert = path.join(pki.dir, `${name}.crt`);
    const key = path.join(pki.dir, `${name}.key`);
    const certPem = fs.readFileSync(cert, "utf8");
    return { cert, key, certPem, keyPem: fs.readFileSync(key, "utf8"), fingerprint256: new X509Certificate(certPem).fingerprint256 };
}
