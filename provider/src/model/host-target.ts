import * as path from "node:path";
import { findBadCharacter, describeBadCharacter, quote } from "./characters";

/** The host a WcowUtilityVm lives on (DESIGN §3.9). */
export type HostTarget =
    /** This Windows machine, through computecore.dll. */
    | { readonly kind: "local" }
    /** A simulated host: the simulator service listening on a Unix socket. */
    | { readonly kind: "sim"; readonly transport: "unix"; readonly socketPath: string }
    /**
     * A simulated host reached over TCP on this machine's loopback (`pulumi-hcs sim --tcp`), with the
     * service's secret in `PULUMI_HCS_SIM_SECRET`. The simulator's Windows library speaks only TCP, so
     * this is how a Windows process reaches a simulator.
     */
    | { readonly kind: "sim"; readonly transport: "tcp"; readonly host: "127.0.0.1"; readonly port: number }
    /**
     * A host agent (`pulumi-hcs agent`) reached over gRPC with mutual TLS: the long-lived owner of that
     * host's VMs. `hostname` is what the agent's certificate must name.
     */
    | { readonly kind: "agent"; readonly hostname: string; readonly port: number };

/** The outcome of {@link parseHostTarget}; `text` is the normalized spelling kept in state. */
export type HostTargetParse =
    | { readonly ok: true; readonly target: HostTarget; readonly text: string }
    | { readonly ok: false; readonly reason: string };

const FORMS =
    `"local", "sim:<absolute socket path>" (for example "sim:/run/pulumi-hcs/sim.sock"), ` +
    `"sim:tcp:127.0.0.1:<port>" (a simulator listening on TCP; its secret in PULUMI_HCS_SIM_SECRET) ` +
    `or "grpcs://<name>:<port>" (a host agent)`;

const TCP_PREFIX = "tcp:";

/**
 * Parses a `host` value: `local`, `sim:<absolute socket path>`, `sim:tcp:127.0.0.1:<port>` or
 * `grpcs://<name>:<port>` (a host agent; plaintext `grpc://` is refused). The socket path must be
 * absolute because the provider process runs from different working directories in preview and
 * update; it is normalized (`/a//b/` becomes `/a/b`), and so is the port (`0080` becomes `80`), so
 * two spellings of one simulator do not replace the VM.
 *
 * Used for the `host` input and for the `PULUMI_HCS_HOST` default alike.
 */
export function parseHostTarget(text: string): HostTargetParse {
    const fail = (reason: string): HostTargetParse => ({ ok: false, reason });
    const bad = findBadCharacter(text, { controls: true });
    if (bad !== undefined) return fail(describeBadCharacter(bad));
    if (text === "local") return { ok: true, target: { kind: "local" }, text };
    if (text.startsWith("sim:")) {
        const rest = text.slice("sim:".length);
        if (rest === "") return fail(`"sim:" needs the simulator's socket path or tcp:127.0.0.1:<port> after it; write ${FORMS}`);
        if (rest.startsWith(TCP_PREFIX)) return parseTcpTarget(rest.slice(TCP_PREFIX.length), fail);
        const normalized = normalizeSocketPath(rest);
        if (normalized === undefined) {
            return fail(
                `the simulator socket path ${quote(rest)} is not absolute; the provider's working directory differs between ` +
                    `preview and update, so write the full path, like "sim:/run/pulumi-hcs/sim.sock"`,
            );
        }
        return { ok: true, target: { kind: "sim", transport: "unix", socketPath: normalized }, text: `sim:${normalized}` };
    }
    if (/^grpc:\/\//i.test(text)) {
        return fail(`${quote(text)} would reach a host agent without TLS, which agents refuse: every agent speaks mutual TLS only; write "grpcs://" + the same name and port`);
    }
    if (/^grpcs:\/\//i.test(text)) return parseAgentTarget(text.slice("grpcs://".length), fail);
    return fail(`${quote(text)} is not a host this provider knows; write ${FORMS}`);
}

/**
 * `127.0.0.1:<port>` after `sim:tcp:`. Only the IPv4 loopback: the simulator listens nowhere else
 * (`pulumi-hcs sim --tcp` refuses other addresses) and its library takes numeric IPv4 only.
 */
function parseTcpTarget(address: string, fail: (reason: string) => HostTargetParse): HostTargetParse {
    const match = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(address);
    if (!match) {
        return fail(`the simulator address ${quote(address)} is not 127.0.0.1:<port>; write it like "sim:tcp:127.0.0.1:40123" (the tcp value \`pulumi-hcs sim --tcp\` prints)`);
    }
    if (match[1] !== "127.0.0.1") {
        return fail(`the simulator address ${quote(address)} is not on 127.0.0.1; the simulator listens on the loopback address only, so write "sim:tcp:127.0.0.1:<port>"`);
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return fail(`the simulator port in ${quote(address)} must be from 1 to 65535, got ${port}`);
    return { ok: true, target: { kind: "sim", transport: "tcp", host: "127.0.0.1", port }, text: `sim:tcp:127.0.0.1:${port}` };
}

/**
 * `<name>:<port>` after `grpcs://`: a DNS name or IPv4 address (what the agent's certificate names)
 * and its port; lower-cased, since names are case-insensitive and the text is kept in state.
 */
function parseAgentTarget(address: string, fail: (reason: string) => HostTargetParse): HostTargetParse {
    const match = /^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?):(\d{1,5})\/?$/.exec(address);
    if (!match) {
        return fail(`the host agent address ${quote(address)} is not <name>:<port>; write it like "grpcs://hcs-host-1.example.net:7443" (a DNS name or IPv4 address the agent's certificate names, and its port)`);
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return fail(`the host agent port in ${quote(address)} must be from 1 to 65535, got ${port}`);
    const hostname = match[1]!.toLowerCase();
    return { ok: true, target: { kind: "agent", hostname, port }, text: `grpcs://${hostname}:${port}` };
}

/** An absolute POSIX path, or an absolute Windows drive path (AF_UNIX sockets exist there too). */
function normalizeSocketPath(socket: string): string | undefined {
    if (socket.startsWith("/")) {
        const normalized = path.posix.normalize(socket);
        return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
    }
    if (/^[A-Za-z]:[\\/]/.test(socket)) return path.win32.normalize(socket);
    return undefined;
}

/** The `host` text for a target (the inverse of {@link parseHostTarget}). */
export function formatHostTarget(target: HostTarget): string {
    if (target.kind === "local") return "local";
    if (target.kind === "agent") return `grpcs://${target.hostname}:${target.port}`;
    return target.transport === "tcp" ? `sim:tcp:${target.host}:${target.port}` : `sim:${target.socketPath}`;
}

/**
 * The service address the simulator's library takes for a simulated host (`HcsSimSetServiceAddress`,
 * or `PULUMI_HCS_SIM`): the socket path, or `tcp:127.0.0.1:<port>`.
 */
export function simulatorAddressOf(target: Extract<HostTarget, { kind: "sim" }>): string {
    return target.transport === "tcp" ? `${TCP_PREFIX}${target.host}:${target.port}` : target.socketPath;
}
