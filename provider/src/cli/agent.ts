import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type AgentConfig, startAgent } from "../agent/agent-server";
import { normalizeRoot } from "../agent/path-roots";
import { DEFAULT_HOST_ENV, defaultHostName } from "../host/connect-host";
import { log } from "../log/logger";
import { providerRoot } from "../../sim/service/library-path";

const HELP = `usage: pulumi-hcs agent --listen <address:port> --cert <file> --key <file> --client-ca <file>
                        --roles <file> --state-dir <folder> --layer-root <C:\\folder> --scratch-root <C:\\folder>
                        [--dump-root <C:\\folder>] [--host local|sim:<socket>] [--audit-log <file>]

Runs the host agent in the foreground: the long-lived owner of this host's utility VMs, serving the
pulumi_hcs.agent.v1 API and grpc.health.v1 over gRPC with mutual TLS. Programs reach it with
host: "grpcs://<name>:<port>". Stop it with Ctrl+C or SIGTERM: calls in flight get 10 s to finish
(a second signal stops at once); the VMs keep running, their guest connections end, and the next
start removes them (docs/agent.md).

options:
  --listen        address and port to listen on, TCP only (0.0.0.0:7443, 127.0.0.1:0 for a free port)
  --cert, --key   the agent's certificate (extended key usage serverAuth, naming the host as clients
                  address it) and its key, PEM; reloaded when they change
  --client-ca     the fleet's private CA bundle: only client certificates it signed are accepted
  --roles         JSON: {"reader": [...], "operator": [...], "admin": [...]}, each a certificate
                  common name or sha256:<fingerprint>; reloaded when it changes; nobody else gets in
  --state-dir     where the agent records the VMs it creates, and its audit log (audit.log)
  --layer-root, --scratch-root, --dump-root
                  folders clients may name as image layers, scratch folders and dump directories
                  (repeatable); anything outside them is refused
  --host          the host whose VMs it owns (default: ${DEFAULT_HOST_ENV}, else local on Windows)
  --audit-log     the audit file (default <state-dir>/audit.log)
`;

/** How long calls in flight may take to finish after SIGINT/SIGTERM before they are cut off. */
const GRACE_MS = 10_000;

/** `pulumi-hcs agent`: runs until SIGINT or SIGTERM. */
export async function run(args: string[]): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            args,
            options: {
                listen: { type: "string" },
                cert: { type: "string" },
                key: { type: "string" },
                "client-ca": { type: "string" },
                roles: { type: "string" },
                "state-dir": { type: "string" },
                "layer-root": { type: "string", multiple: true },
                "scratch-root": { type: "string", multiple: true },
                "dump-root": { type: "string", multiple: true },
                host: { type: "string" },
                "audit-log": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        process.stderr.write(`pulumi-hcs agent: ${(err as Error).message}\n\n${HELP}`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(HELP);
        return 0;
    }
    const missing = ["listen", "cert", "key", "client-ca", "roles", "state-dir", "layer-root", "scratch-root"].filter((name) => values[name as keyof typeof values] === undefined);
    if (missing.length > 0) {
        process.stderr.write(`pulumi-hcs agent: missing ${missing.map((m) => `--${m}`).join(", ")}\n\n${HELP}`);
        return 2;
    }
    const host = values.host ?? defaultHostName();
    if (host === undefined) {
        process.stderr.write(`pulumi-hcs agent: no host to own: pass --host sim:<socket> (or set ${DEFAULT_HOST_ENV}); on Windows the default is local\n`);
        return 2;
    }
    let config: AgentConfig;
    try {
        const stateDir = path.resolve(values["state-dir"]!);
        fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
        config = {
            listen: values.listen!,
            host,
            certificates: { cert: path.resolve(values.cert!), key: path.resolve(values.key!), clientCa: path.resolve(values["client-ca"]!) },
            rolesFile: path.resolve(values.roles!),
            stateDir,
            roots: {
                layers: (values["layer-root"] ?? []).map((r) => normalizeRoot("--layer-root", r)),
                scratch: (values["scratch-root"] ?? []).map((r) => normalizeRoot("--scratch-root", r)),
                dumps: (values["dump-root"] ?? []).map((r) => normalizeRoot("--dump-root", r)),
            },
            auditFile: values["audit-log"] !== undefined ? path.resolve(values["audit-log"]) : undefined,
            version: (JSON.parse(fs.readFileSync(path.join(providerRoot(), "package.json"), "utf8")) as { version: string }).version,
        };
    } catch (err) {
        process.stderr.write(`pulumi-hcs agent: ${(err as Error).message}\n`);
        return 2;
    }
    let agent;
    try {
        agent = await startAgent(config);
    } catch (err) {
        process.stderr.write(`pulumi-hcs agent: ${(err as Error).message}\n`);
        return 1;
    }
    const { undone, terminated, kept, foreign } = agent.recovered;
    process.stdout.write(`pulumi-hcs agent: serving on port ${agent.port} (instance ${agent.instanceId}); ` +
        `from its previous run: ${undone.length} interrupted creates undone, ${terminated.length} VMs without their guest removed, ${kept.length} kept; ` +
        `${foreign.length} systems of pulumi-hcs owners it did not create, left alone\n`);
    await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
    });
    // A second signal while calls finish stops at once (what is cut off is undone at the next start).
    const now = () => process.exit(1);
    process.once("SIGINT", now);
    process.once("SIGTERM", now);
    log.info({ graceMs: GRACE_MS }, "stopping: no new calls; those in flight get the grace period");
    await agent.close(GRACE_MS);
    log.info("pulumi-hcs agent stopped; its VMs run on, and its next start removes those whose guest it held");
    return 0;
}
