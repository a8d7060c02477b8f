import * as fs from "node:fs";
import { log } from "../log/logger";

/** One audited call: who, what, on which VM, with what result. Never the spec or any secret. */
export interface AuditEntry {
    /** The client certificate's SHA-256 fingerprint and common name, and the role it held. */
    readonly peer: { readonly fingerprint256?: string | undefined; readonly identity?: string | undefined; readonly role?: string | undefined; readonly address?: string | undefined };
    readonly method: string;
    readonly requestId?: string | undefined;
    readonly vm?: string | undefined;
    /** `ok`, `refused` (authorization, validation, path roots) or `failed` (the operation itself). */
    readonly result: "ok" | "refused" | "failed";
    /** The gRPC status name. */
    readonly code: string;
    /** The HCS HRESULT of a failure, as `NAME (0x…)`, when HCS gave one. */
    readonly hresult?: string | undefined;
    readonly error?: string | undefined;
    readonly durationMs: number;
}

/**
 * The audit trail: one JSON line per mutating call and per refused call, appended to the audit file
 * (0600) and logged. Written synchronously before the call's answer goes out, so an answered
 * mutation is always in the file.
 */
export class AuditLog {
    private readonly fd: number | undefined;

    constructor(readonly file: string | undefined) {
        this.fd = file !== undefined ? fs.openSync(file, "a", 0o600) : undefined;
        if (file !== undefined) fs.chmodSync(file, 0o600);
    }

    write(entry: AuditEntry): void {
        const line = { time: new Date().toISOString(), audit: true, ...entry };
        if (this.fd !== undefined) {
            try {
                fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
            } catch (err) {
                log.error({ err: (err as Error).message, file: this.file }, "could not write the audit file");
            }
        }
        log.info({ audit: entry }, `${entry.method} ${entry.result}`);
    }

    close(): void {
        if (this.fd !== undefined) fs.closeSync(this.fd);
    }
}
