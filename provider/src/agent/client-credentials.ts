import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A folder holding `ca.pem`, `cert.pem` and `key.pem` (Docker's DOCKER_CERT_PATH layout). */
export const CERT_PATH_ENV = "PULUMI_HCS_AGENT_CERT_PATH";
/** Each file on its own, overriding the folder's. */
export const CA_ENV = "PULUMI_HCS_AGENT_CA";
export const CERT_ENV = "PULUMI_HCS_AGENT_CERT";
export const KEY_ENV = "PULUMI_HCS_AGENT_KEY";
/** Optional: the agent certificates' SHA-256 fingerprints to accept (comma-separated), besides the CA check. */
export const PIN_ENV = "PULUMI_HCS_AGENT_PIN";

/** The client's TLS material for reaching agents: never resource inputs or state, so rotating it is no diff. */
export interface ClientCredentials {
    readonly ca: Buffer;
    readonly cert: Buffer;
    readonly key: Buffer;
    /** Upper-case hex without colons. */
    readonly pins: readonly string[];
    /** Where each came from, for errors. */
    readonly sources: { readonly ca: string; readonly cert: string; readonly key: string };
}

/** This client's credentials for host agents cannot be read (nothing was reached: the files are the problem). */
export class ClientCredentialsError extends Error {
    override readonly name = "ClientCredentialsError";
}

/** The default folder: `~/.pulumi-hcs/agent`. */
export function defaultCertPath(env: NodeJS.ProcessEnv = process.env): string {
    return env[CERT_PATH_ENV]?.trim() || path.join(os.homedir(), ".pulumi-hcs", "agent");
}

/**
 * Reads the client credentials: each file from its own variable, else from the folder
 * (`PULUMI_HCS_AGENT_CERT_PATH`, default `~/.pulumi-hcs/agent`).
 * @throws Error naming every file that cannot be read and the variables that set it.
 */
export function loadClientCredentials(env: NodeJS.ProcessEnv = process.env): ClientCredentials {
    const folder = defaultCertPath(env);
    const sources = {
        ca: env[CA_ENV]?.trim() || path.join(folder, "ca.pem"),
        cert: env[CERT_ENV]?.trim() || path.join(folder, "cert.pem"),
        key: env[KEY_ENV]?.trim() || path.join(folder, "key.pem"),
    };
    const problems: string[] = [];
    const read = (file: string, variable: string): Buffer => {
        try {
            return readFileSync(file);
        } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            // Say where the name came from, so the fix is in the right place.
            const from = env[variable]?.trim() ? `named by ${variable}` : `set ${variable} or ${CERT_PATH_ENV}`;
            problems.push(`${file} (${code}; ${from})`);
            return Buffer.alloc(0);
        }
    };
    const credentials = {
        ca: read(sources.ca, CA_ENV),
        cert: read(sources.cert, CERT_ENV),
        key: read(sources.key, KEY_ENV),
        pins: (env[PIN_ENV] ?? "").split(",").map((p) => p.trim().replace(/^sha256:/i, "").replace(/:/g, "").toUpperCase()).filter((p) => p !== ""),
        sources,
    };
    if (problems.length > 0) {
        throw new ClientCredentialsError(`Cannot read the client credentials for host agents: ${problems.join("; ")}. ` +
            `A client needs the fleet CA and its own certificate and key: ${CA_ENV}, ${CERT_ENV}, ${KEY_ENV}, or ca.pem, cert.pem and key.pem in ${folder}`);
    }
    return credentials;
}
