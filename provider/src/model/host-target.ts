import * as path from "node:path";
import { findBadCharacter, describeBadCharacter, quote } from "./characters";

/** The host a WcowUtilityVm lives on (DESIGN §3.9). */
export type HostTarget =
    /** This Windows machine, through computecore.dll. */
    | { readonly kind: "local" }
    /** A simulated host: the simulator service listening on a Unix socket. */
    | { readonly kind: "sim"; readonly socketPath: string };

/** The outcome of {@link parseHostTarget}; `text` is the normalized spelling kept in state. */
export type HostTargetParse =
    | { readonly ok: true; readonly target: HostTarget; readonly text: string }
    | { readonly ok: false; readonly reason: string };

const FORMS = `"local" or "sim:<absolute socket path>" (for example "sim:/run/pulumi-hcs/sim.sock")`;

/**
 * Parses a `host` value: `local`, or `sim:<absolute socket path>`. `grpcs://…` is recognized but
 * refused until the host agent exists. The socket path must be absolute because the provider process
 * runs from different working directories in preview and update; it is normalized (`/a//b/` becomes
 * `/a/b`) so two spellings of one socket do not replace the VM.
 *
 * Used for the `host` input and for the `PULUMI_HCS_HOST` default alike.
 */
export function parseHostTarget(text: string): HostTargetParse {
    const fail = (reason: string): HostTargetParse => ({ ok: false, reason });
    const bad = findBadCharacter(text, { controls: true });
    if (bad !== undefined) return fail(describeBadCharacter(bad));
    if (text === "local") return { ok: true, target: { kind: "local" }, text };
    if (text.startsWith("sim:")) {
        const socket = text.slice("sim:".length);
        if (socket === "") return fail(`"sim:" needs the simulator's socket path after it; write ${FORMS}`);
        const normalized = normalizeSocketPath(socket);
        if (normalized === undefined) {
            return fail(
                `the simulator socket path ${quote(socket)} is not absolute; the provider's working directory differs between ` +
                    `preview and update, so write the full path, like "sim:/run/pulumi-hcs/sim.sock"`,
            );
        }
        return { ok: true, target: { kind: "sim", socketPath: normalized }, text: `sim:${normalized}` };
    }
    if (/^grpcs?:\/\//i.test(text)) {
        return fail(`remote host agents are not supported yet (${quote(text)}); use ${FORMS}`);
    }
    return fail(`${quote(text)} is not a host this provider knows; write ${FORMS}`);
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
    return target.kind === "local" ? "local" : `sim:${target.socketPath}`;
}
