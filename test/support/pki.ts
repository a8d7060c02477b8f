/**
 * A throwaway certificate authority for the host agent's mutual-TLS tests: a fleet CA, a foreign
 * CA nobody trusts, and server and client certificates signed on demand, each written as PEM files
 * into one directory so a test can hand their paths (or their text) to the agent and its clients.
 *
 * It drives Debian's `openssl` CLI rather than an npm package: Node can verify certificates but
 * cannot issue them, and the CLI is already on every machine the tests run on. Leaves are issued
 * with `openssl ca` because OpenSSL 3.0's `x509 -req` cannot set a start date, and the tests need
 * certificates that are already expired or not yet valid.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface CertFiles {
    /** Path of the certificate's PEM file. */
    readonly cert: string;
    /** Path of the private key's PEM file (unencrypted PKCS#8). */
    readonly key: string;
    /** PEM text of cert */
    readonly certPem: string;
    readonly keyPem: string;
    /** SHA-256 fingerprint as Node prints it: "AB:CD:..." upper-case hex with colons */
    readonly fingerprint256: string;
}

export interface ServerOptions {
    /** Subject common name; "localhost" when not given. */
    readonly cn?: string;
    /** SAN DNS names added to localhost. */
    readonly dnsNames?: string[];
    /** SAN IP addresses added to 127.0.0.1. */
    readonly ips?: string[];
    /** File name stem (`<name>.crt`, `<name>.key`); "server" when not given. */
    readonly name?: string;
    /** SANs are dnsNames and ips alone, without localhost and 127.0.0.1: a certificate that does not name this machine. */
    readonly withoutDefaultNames?: boolean;
}

/** Which extended key usage a client certificate carries; "none" leaves the extension out. */
export type ClientEku = "clientAuth" | "serverAuth" | "none";

export interface ClientOptions {
    /** Signed by the untrusted foreign CA instead of the fleet's. */
    readonly foreign?: boolean;
    /** "clientAuth" when not given. */
    readonly eku?: ClientEku;
    /** Start of validity; may lie in the future for a not-yet-valid certificate. */
    readonly notBefore?: Date;
    /** End of validity; may lie in the past for an expired certificate. */
    readonly notAfter?: Date;
    /** File name stem; the identity when not given. */
    readonly name?: string;
}

export interface Pki {
    readonly dir: string;
    /** the fleet's private CA (basicConstraints CA:true, keyCertSign) */
    readonly ca: CertFiles;
    /** another CA nobody trusts */
    readonly foreignCa: CertFiles;
    /** server cert signed by ca: CN given, SAN DNS:localhost + IP:127.0.0.1 (+ extra SANs, or only those), EKU serverAuth, keyUsage digitalSignature,keyEncipherment */
    server(options?: ServerOptions): CertFiles;
    /** client cert signed by ca (or by foreignCa when options.foreign), CN = identity, EKU clientAuth by default */
    client(identity: string, options?: ClientOptions): CertFiles;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** The CAs outlive every default leaf; a leaf asked to outlive them is still issued (chain checks are per certificate). */
const CA_DAYS = 30;

/**
 * Creates both CAs in `dir` (a fresh temporary directory when not given). Two openssl runs; each
 * leaf costs two more (key and request, then signing), so a test pays only for what it asks for.
 */
export function createPki(dir?: string): Pki {
    const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-hcs-pki-"));
    fs.mkdirSync(root, { recursive: true });
    const names = new FileNames(root);
    const fleet = new Authority(root, names.claim("ca"), "pulumi-hcs test fleet CA");
    const foreign = new Authority(root, names.claim("foreign-ca"), "pulumi-hcs test foreign CA");
    return {
        dir: root,
        ca: fleet.files,
        foreignCa: foreign.files,
        server(options = {}) {
            const cn = options.cn ?? "localhost";
            const defaults = options.withoutDefaultNames ? { dns: [], ips: [] } : { dns: ["localhost"], ips: ["127.0.0.1"] };
            const dns = [...defaults.dns, ...(options.dnsNames ?? [])].map((n) => `DNS:${n}`);
            const ips = [...defaults.ips, ...(options.ips ?? [])].map((ip) => `IP:${ip}`);
            return fleet.issue(names.claim(options.name ?? "server"), cn, {
                keyUsage: "critical, digitalSignature, keyEncipherment",
                extendedKeyUsage: "serverAuth",
                subjectAltName: [...dns, ...ips].join(", "),
            }, validity());
        },
        client(identity, options = {}) {
            const authority = options.foreign ? foreign : fleet;
            const eku = options.eku ?? "clientAuth";
            const dates = validity(options.notBefore, options.notAfter);
            return authority.issue(names.claim(options.name ?? identity), identity, {
                keyUsage: "critical, digitalSignature",
                extendedKeyUsage: eku === "none" ? undefined : eku,
            }, dates);
        },
    };
}

interface Validity {
    readonly notBefore: Date;
    readonly notAfter: Date;
}

/**
 * Fills in whichever end is missing: an hour back (so small clock differences never matter) to a
 * day ahead, moved as needed so that one given end never lands the other on the wrong side of it
 * (an expired certificate starts an hour before its end, a future one lasts a day from its start).
 */
function validity(notBefore?: Date, notAfter?: Date): Validity {
    const now = Date.now();
    const start = notBefore ?? new Date(Math.min(now - HOUR_MS, (notAfter?.getTime() ?? now) - HOUR_MS));
    const end = notAfter ?? new Date(Math.max(now + DAY_MS, start.getTime() + DAY_MS));
    if (end.getTime() <= start.getTime()) {
        throw new Error(`pki: notAfter ${end.toISOString()} is not after notBefore ${start.toISOString()}`);
    }
    return { notBefore: start, notAfter: end };
}

/** The extensions of a leaf certificate that vary between server and client ones. */
interface LeafExtensions {
    readonly keyUsage: string;
    readonly extendedKeyUsage?: string;
    readonly subjectAltName?: string;
}

/**
 * One CA: its key and self-signed certificate in the shared directory, and beside them a folder
 * of its own for the database and config that `openssl ca` insists on.
 */
class Authority {
    readonly files: CertFiles;
    private readonly config: string;
    private readonly work: string;

    constructor(private readonly root: string, stem: string, commonName: string) {
        this.work = path.join(root, `.${stem}-db`);
        fs.mkdirSync(this.work, { recursive: true });
        const cert = path.join(root, `${stem}.crt`);
        const key = path.join(root, `${stem}.key`);
        this.config = path.join(this.work, "openssl.cnf");
        fs.writeFileSync(path.join(this.work, "index.txt"), "");
        fs.writeFileSync(this.config, authorityConfig(this.work, cert, key));
        openssl([
            "req", "-config", this.config, "-x509", "-extensions", "ca_extensions",
            ...NEW_KEY, "-keyout", key, "-out", cert, "-days", String(CA_DAYS), "-subj", subject(commonName),
        ]);
        this.files = certFiles(cert, key);
    }

    issue(stem: string, commonName: string, extensions: LeafExtensions, validity: Validity): CertFiles {
        const cert = path.join(this.root, `${stem}.crt`);
        const key = path.join(this.root, `${stem}.key`);
        const request = path.join(this.work, `${stem}.csr`);
        const extfile = path.join(this.work, `${stem}.ext`);
        fs.writeFileSync(extfile, leafExtensionsFile(extensions));
        openssl(["req", "-config", this.config, "-new", ...NEW_KEY, "-keyout", key, "-out", request, "-subj", subject(commonName)]);
        openssl([
            "ca", "-config", this.config, "-batch", "-notext", "-utf8", "-rand_serial",
            "-in", request, "-out", cert, "-subj", subject(commonName),
            "-startdate", asn1Time(validity.notBefore), "-enddate", asn1Time(validity.notAfter),
            "-extfile", extfile, "-extensions", "leaf",
        ]);
        return certFiles(cert, key);
    }
}

/** A fresh P-256 key, written unencrypted: signing an ECDSA key is far faster than an RSA one. */
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc"];

/**
 * `openssl ca` needs a database, a serial file and a policy even to sign one certificate; this is
 * the least it accepts. unique_subject = no lets a test issue two certificates for one identity.
 */
function authorityConfig(work: string, cert: string, key: string): string {
    return [
        "[req]",
        "distinguished_name = req_dn",
        "prompt = no",
        "utf8 = yes",
        "string_mask = utf8only",
        "[req_dn]",
        "CN = unused",
        "[ca]",
        "default_ca = this_ca",
        "[this_ca]",
        `dir = ${configValue(work)}`,
        "database = $dir/index.txt",
        "serial = $dir/serial",
        "new_certs_dir = $dir",
        `certificate = ${configValue(cert)}`,
        `private_key = ${configValue(key)}`,
        "default_md = sha256",
        "policy = any_name",
        "unique_subject = no",
        "email_in_dn = no",
        "[any_name]",
        "commonName = supplied",
        "[ca_extensions]",
        "basicConstraints = critical, CA:true",
        "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash",
        "",
    ].join("\n");
}

function leafExtensionsFile(extensions: LeafExtensions): string {
    const lines = [
        "[leaf]",
        "basicConstraints = critical, CA:false",
        `keyUsage = ${extensions.keyUsage}`,
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always",
    ];
    if (extensions.extendedKeyUsage) lines.push(`extendedKeyUsage = ${extensions.extendedKeyUsage}`);
    if (extensions.subjectAltName) lines.push(`subjectAltName = ${extensions.subjectAltName}`);
    return lines.join("\n") + "\n";
}

/** openssl config values expand `$var` and treat `\` as an escape; temp paths rarely hold either, but a Windows one would. */
function configValue(value: string): string {
    return value.replace(/\\/g, "\\\\").replace(/\$/g, "\\$");
}

/** `-subj` syntax: `/` separates attributes and `+` joins them, so both (and `\`, `=`) are escaped in a name. */
function subject(commonName: string): string {
    if (commonName === "" || /[\u0000-\u001f\u007f]/.test(commonName)) {
        // A control character would also corrupt `openssl ca`'s one-line-per-certificate database.
        throw new Error(`pki: unusable common name ${JSON.stringify(commonName)}`);
    }
    return `/CN=${commonName.replace(/[\\/+=]/g, (c) => `\\${c}`)}`;
}

/** YYYYMMDDHHMMSSZ, the form `openssl ca -startdate/-enddate` takes (openssl stores UTCTime before 2050 itself). */
function asn1Time(date: Date): string {
    return `${date.toISOString().replace(/\D/g, "").slice(0, 14)}Z`;
}

function certFiles(cert: string, key: string): CertFiles {
    const certPem = fs.readFileSync(cert, "utf8");
    return { cert, key, certPem, keyPem: fs.readFileSync(key, "utf8"), fingerprint256: fingerprint256(certPem) };
}

/** The SHA-256 of the DER bytes, formatted as X509Certificate.fingerprint256 is, without needing it. */
function fingerprint256(certPem: string): string {
    const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(certPem);
    if (!body) throw new Error("pki: openssl wrote no PEM certificate");
    const der = Buffer.from(body[1]!.replace(/\s+/g, ""), "base64");
    const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
    return hex.match(/../g)!.join(":");
}

/**
 * Runs openssl, quiet when it succeeds (`openssl ca` chats on stderr), with its stderr in the
 * error when it does not. OPENSSL_CONF is dropped so a developer's own config cannot change what
 * is issued; every call names its config.
 */
function openssl(args: string[]): void {
    const env = { ...process.env };
    delete env.OPENSSL_CONF;
    try {
        execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], env });
    } catch (error) {
        const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? "";
        throw new Error(`pki: openssl ${args[0]} failed: ${stderr || String(error)}`);
    }
}

/**
 * Maps names to file stems, one certificate per stem: a second certificate asked for under a
 * name already used (or one that sanitises to the same stem) would silently replace the first.
 */
class FileNames {
    private readonly used = new Set<string>();

    constructor(private readonly root: string) {}

    claim(name: string): string {
        const stem = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
        if (stem === "") throw new Error("pki: empty file name");
        if (this.used.has(stem)) {
            throw new Error(`pki: ${path.join(this.root, stem)}.crt already issued in this Pki; pass options.name to tell them apart`);
        }
        this.used.add(stem);
        return stem;
    }
}
