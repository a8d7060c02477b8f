import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { X509Certificate, createPrivateKey } from "node:crypto";
import type { experimental } from "@grpc/grpc-js";
import { log } from "../log/logger";

type CertificateProvider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** The agent's TLS files: its certificate chain and key, and the CA bundle client certificates must chain to. */
export interface CertificatePaths {
    readonly cert: string;
    readonly key: string;
    readonly clientCa: string;
}

/** How often the files are looked at for a change (and the roles file with them). */
export const RELOAD_INTERVAL_MS = 2000;

interface Loaded {
    readonly cert: Buffer;
    readonly key: Buffer;
    readonly ca: Buffer;
    /** The server certificate's fingerprint, for the log line saying which one is served. */
    readonly fingerprint256: string;
}

/**
 * A grpc-js certificate provider over the agent's files, reloaded when they change, so certificates
 * rotate without a restart and running VMs never notice (consul#2584 is what users suffer without it).
 * A new set is taken only when it is whole and consistent (the key matches the certificate, every
 * file parses); a half-written or broken set is logged and the served one stays. grpc-js's own
 * FileWatcherCertificateProvider would hand a broken set to the server.
 */
export class ReloadingCertificates implements CertificateProvider {
    private current: Loaded;
    private readonly caListeners = new Set<CaListener>();
    private readonly identityListeners = new Set<IdentityListener>();
    private readonly timer: NodeJS.Timeout;
    private lastProblem: string | undefined;

    /** @throws Error when the files do not make a usable set at start (the agent refuses to start). */
    constructor(private readonly paths: CertificatePaths, private readonly onReload: () => void = () => {}) {
        this.current = loadSet(paths);
        log.info({ fingerprint256: this.current.fingerprint256 }, "serving the agent certificate");
        this.timer = setInterval(() => this.refresh(), RELOAD_INTERVAL_MS);
        this.timer.unref();
    }

    /** Looks at the files now; returns whether a new set was taken. */
    refresh(): boolean {
        this.onReload();
        let next: Loaded;
        try {
            next = loadSet(this.paths);
        } catch (err) {
            const problem = (err as Error).message;
            if (problem !== this.lastProblem) log.error({ problem }, "the agent's certificate files changed into an unusable set; still serving the previous one");
            this.lastProblem = problem;
            return false;
        }
        this.lastProblem = undefined;
        if (next.cert.equals(this.current.cert) && next.key.equals(this.current.key) && next.ca.equals(this.current.ca)) return false;
        this.current = next;
        log.info({ fingerprint256: next.fingerprint256 }, "reloaded the agent's certificate files; new connections use them, open ones and every VM are unaffected");
        for (const listener of this.caListeners) listener({ caCertificate: next.ca });
        for (const listener of this.identityListeners) listener({ certificate: next.cert, privateKey: next.key });
        return true;
    }

    close(): void {
        clearInterval(this.timer);
    }

    addCaCertificateListener(listener: CaListener): void {
        this.caListeners.add(listener);
        // Later, not now: grpc-js registers its own watcher only after adding this listener.
        setImmediate(() => this.caListeners.has(listener) && listener({ caCertificate: this.current.ca }));
    }

    removeCaCertificateListener(listener: CaListener): void {
        this.caListeners.delete(listener);
    }

    addIdentityCertificateListener(listener: IdentityListener): void {
        this.identityListeners.add(listener);
        setImmediate(() => this.identityListeners.has(listener) && listener({ certificate: this.current.cert, privateKey: this.current.key }));
    }

    removeIdentityCertificateListener(listener: IdentityListener): void {
        this.identityListeners.delete(listener);
    }
}

/** @throws Error naming the file and the problem. */
function loadSet(paths: CertificatePaths): Loaded {
    const read = (what: string, file: string): Buffer => {
        try {
            return readFileSync(file);
        } catch (err) {
            throw new Error(`Cannot read the ${what} ${file}: ${(err as Error).message}`);
        }
    };
    const cert = read("agent certificate", paths.cert);
    const key = read("agent key", paths.key);
    const ca = read("client CA bundle", paths.clientCa);
    let leaf: X509Certificate;
    try {
        leaf = new X509Certificate(cert);
        new X509Certificate(ca);
    } catch (err) {
        throw new Error(`Cannot use ${paths.cert} / ${paths.clientCa}: not a PEM certificate (${(err as Error).message})`);
    }
    try {
        // Throws when the key does not match the certificate.
        createSecureContext({ cert, key, ca });
    } catch (err) {
        throw new Error(`Cannot use ${paths.cert} with ${paths.key}: ${(err as Error).message}`);
    }
    if (!leaf.checkPrivateKey(createPrivateKey(key))) throw new Error(`Cannot use ${paths.key}: it is not the key of ${paths.cert}`);
    return { cert, key, ca, fingerprint256: leaf.fingerprint256 };
}

