// The certificate factory is checked against Node itself: X509Certificate for what each
// certificate says, and a real mutual-TLS handshake for what a Node server (as the agent's
// gRPC server is) accepts and refuses.
import { createPrivateKey, X509Certificate } from "crypto";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { CertFiles, createPki, Pki } from "./pki";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const HOUR_MS = 60 * 60 * 1000;

let pki: Pki;
let server: CertFiles;

beforeAll(() => {
    pki = createPki(fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-hcs-pki-test-")));
    server = pki.server();
});

afterAll(() => {
    fs.rmSync(pki.dir, { recursive: true, force: true });
});

function x509(files: CertFiles): X509Certificate {
    return new X509Certificate(files.certPem);
}

/** What one handshake ended in, as each side saw it. */
interface Handshake {
    /** The client read the server's greeting, sent only from 'secureConnection'. */
    readonly accepted: boolean;
    /** The server socket's authorizationError: why it refused the client certificate. */
    readonly authorizationError: string | undefined;
    /** The client certificate's subject as the server saw it after accepting. */
    readonly peerSubject: string | undefined;
}

/**
 * One connection from a client presenting `client` to a server configured as the agent is:
 * requestCert + rejectUnauthorized with only the fleet CA trusted. A refusing Node server just
 * destroys the socket, so the reason is read from that socket, reached through 'keylog' (emitted
 * during the handshake, before the client certificate is checked).
 */
async function handshake(client: CertFiles, connect: { host: string; servername?: string }): Promise<Handshake> {
    const tlsServer = tls.createServer({
        key: server.keyPem,
        cert: server.certPem,
        ca: [pki.ca.certPem],
        requestCert: true,
        rejectUnauthorized: true,
    });
    let serverSocket: tls.TLSSocket | undefined;
    let peerSubject: string | undefined;
    tlsServer.on("keylog", (_line: Buffer, socket: tls.TLSSocket) => {
        serverSocket ??= socket;
    });
    tlsServer.on("secureConnection", (socket: tls.TLSSocket) => {
        peerSubject = socket.getPeerX509Certificate()?.subject;
        socket.end("ok");
    });
    tlsServer.on("tlsClientError", () => {}); // refusals are what some tests expect
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    try {
        const { port } = tlsServer.address() as AddressInfo;
        const received = await new Promise<string>((resolve) => {
            let data = "";
            const socket = tls.connect({
                host: connect.host,
                servername: connect.servername,
                port,
                ca: [pki.ca.certPem],
                key: client.keyPem,
                cert: client.certPem,
            });
            socket.setEncoding("utf8");
            socket.on("data", (chunk: string) => (data += chunk));
            socket.on("error", () => {}); // a refused client sees a reset or a closed stream
            socket.on("close", () => resolve(data));
        });
        const refused = serverSocket;
        if (refused && !refused.destroyed) await new Promise((resolve) => refused.once("close", resolve));
        return { accepted: received === "ok", authorizationError: serverSocket?.authorizationError?.toString(), peerSubject };
    } finally {
        await new Promise((resolve) => tlsServer.close(resolve));
    }
}

describe("the CAs", () => {
    it("are self-signed CA certificates, distinct from each other", () => {
        const ca = x509(pki.ca);
        const foreign = x509(pki.foreignCa);
        expect(ca.ca).toBe(true);
        expect(foreign.ca).toBe(true);
        expect(ca.verify(ca.publicKey)).toBe(true);
        expect(ca.verify(foreign.publicKey)).toBe(false);
        expect(pki.ca.fingerprint256).not.toBe(pki.foreignCa.fingerprint256);
    });
});

describe("server()", () => {
    it("is signed by the fleet CA, not the foreign one, and is not itself a CA", () => {
        const cert = x509(server);
        expect(cert.ca).toBe(false);
        expect(cert.checkIssued(x509(pki.ca))).toBe(true);
        expect(cert.verify(x509(pki.ca).publicKey)).toBe(true);
        expect(cert.verify(x509(pki.foreignCa).publicKey)).toBe(false);
    });

    it("names localhost and 127.0.0.1, and nothing else by default", () => {
        const cert = x509(server);
        expect(cert.checkHost("localhost")).toBe("localhost");
        expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
        expect(cert.checkHost("agent.test")).toBeUndefined();
        expect(cert.checkIP("127.0.0.2")).toBeUndefined();
        expect(cert.subject).toBe("CN=localhost");
        expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    });

    it("adds the common name and extra SANs asked for, beside the defaults", () => {
        const cert = x509(pki.server({ cn: "hcs-host-1", dnsNames: ["agent.test"], ips: ["::1"], name: "server-extra" }));
        expect(cert.subject).toBe("CN=hcs-host-1");
        expect(cert.checkHost("agent.test")).toBe("agent.test");
        expect(cert.checkHost("localhost")).toBe("localhost");
        expect(cert.checkIP("::1")).toBe("::1");
        expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    });

    it("passes a Node client's verification by IP and by host name", async () => {
        const alice = pki.client("alice-for-server", { name: "alice-for-server" });
        // tls.connect checks the server identity against servername when given, else host.
        expect((await handshake(alice, { host: "127.0.0.1" })).accepted).toBe(true);
        expect((await handshake(alice, { host: "127.0.0.1", servername: "localhost" })).accepted).toBe(true);
    });
});

describe("client() in a mutual-TLS handshake", () => {
    it("is accepted when the fleet CA signed it, and the server sees its identity", async () => {
        const result = await handshake(pki.client("alice"), { host: "127.0.0.1" });
        expect(result).toEqual({ accepted: true, authorizationError: undefined, peerSubject: "CN=alice" });
    });

    it("is refused when the foreign CA signed it", async () => {
        const result = await handshake(pki.client("eve", { foreign: true }), { host: "127.0.0.1" });
        expect(result.accepted).toBe(false);
        // OpenSSL's code for a lone certificate whose issuer is not among the trusted ones.
        expect(result.authorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it("is refused as expired when notAfter has passed", async () => {
        const old = pki.client("old", { notAfter: new Date(Date.now() - HOUR_MS) });
        const result = await handshake(old, { host: "127.0.0.1" });
        expect(result.accepted).toBe(false);
        expect(result.authorizationError).toBe("CERT_HAS_EXPIRED");
    });

    it("is refused as not yet valid when notBefore is ahead", async () => {
        const early = pki.client("early", { notBefore: new Date(Date.now() + HOUR_MS) });
        const result = await handshake(early, { host: "127.0.0.1" });
        expect(result.accepted).toBe(false);
        expect(result.authorizationError).toBe("CERT_NOT_YET_VALID");
    });

    it("is refused for its purpose when its only EKU is serverAuth", async () => {
        const result = await handshake(pki.client("mallory", { eku: "serverAuth" }), { host: "127.0.0.1" });
        expect(result.accepted).toBe(false);
        expect(result.authorizationError).toBe("INVALID_PURPOSE");
    });
});

describe("client() certificate contents", () => {
    it("carries the EKU asked for, clientAuth by default, none when told", () => {
        expect(x509(pki.client("eku-default")).keyUsage).toEqual([CLIENT_AUTH]);
        expect(x509(pki.client("eku-client", { eku: "clientAuth" })).keyUsage).toEqual([CLIENT_AUTH]);
        expect(x509(pki.client("eku-server", { eku: "serverAuth" })).keyUsage).toEqual([SERVER_AUTH]);
        expect(x509(pki.client("eku-none", { eku: "none" })).keyUsage).toBeUndefined();
    });

    it("is valid from an hour ago for a day by default, and for exactly the dates given otherwise", () => {
        const before = Date.now();
        const plain = x509(pki.client("dates-default"));
        expect(plain.validFromDate.getTime()).toBeGreaterThan(before - HOUR_MS - 2000);
        expect(plain.validFromDate.getTime()).toBeLessThanOrEqual(Date.now() - HOUR_MS);
        expect(plain.validToDate.getTime() - before).toBeGreaterThan(24 * HOUR_MS - 2000);

        const notBefore = new Date("2031-02-03T04:05:06Z");
        const notAfter = new Date("2052-07-08T09:10:11Z"); // past 2049: GeneralizedTime, not UTCTime
        const fixed = x509(pki.client("dates-fixed", { notBefore, notAfter }));
        expect(fixed.validFromDate).toEqual(notBefore);
        expect(fixed.validToDate).toEqual(notAfter);
    });

    it("puts the identity in the common name, special characters and all", () => {
        expect(x509(pki.client("spiffe://fleet/host+1=a b", { name: "odd" })).subject).toBe("CN=spiffe://fleet/host\\+1=a b");
    });

    it("is signed by the foreign CA when foreign, by the fleet CA otherwise", () => {
        expect(x509(pki.client("eve-signer", { foreign: true })).checkIssued(x509(pki.foreignCa))).toBe(true);
        expect(x509(pki.client("alice-signer")).checkIssued(x509(pki.ca))).toBe(true);
        expect(x509(pki.client("alice-signer-2")).checkIssued(x509(pki.foreignCa))).toBe(false);
    });

    it("rejects validity that ends before it starts", () => {
        expect(() => pki.client("backwards", { notBefore: new Date(Date.now()), notAfter: new Date(Date.now() - HOUR_MS) })).toThrow(/not after/);
    });
});

describe("the files", () => {
    it("hold each certificate and its key under its own name, side by side", () => {
        const a = pki.client("carol");
        const b = pki.client("carol", { name: "carol-2" });
        expect(a.cert).toBe(path.join(pki.dir, "carol.crt"));
        expect(b.key).toBe(path.join(pki.dir, "carol-2.key"));
        for (const files of [a, b, pki.ca, pki.foreignCa, server]) {
            expect(fs.readFileSync(files.cert, "utf8")).toBe(files.certPem);
            expect(fs.readFileSync(files.key, "utf8")).toBe(files.keyPem);
            expect(x509(files).checkPrivateKey(createPrivateKey(files.keyPem))).toBe(true);
        }
        expect(a.fingerprint256).not.toBe(b.fingerprint256);
        expect(x509(a).checkPrivateKey(createPrivateKey(b.keyPem))).toBe(false);
    });

    it("refuse a second certificate under a name already used", () => {
        pki.client("dave");
        expect(() => pki.client("dave")).toThrow(/already issued/);
        expect(() => pki.client("ca")).toThrow(/already issued/);
    });

    it("give fingerprint256 as Node computes it", () => {
        for (const files of [pki.ca, pki.foreignCa, server, pki.client("frank"), pki.client("grace", { foreign: true })]) {
            expect(files.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
            expect(files.fingerprint256).toBe(x509(files).fingerprint256);
        }
    });

    it("go into a fresh temporary directory when none is given", () => {
        const own = createPki();
        try {
            expect(path.dirname(own.dir)).toBe(os.tmpdir());
            expect(path.basename(own.dir)).toMatch(/^pulumi-hcs-pki-/);
            expect(own.dir).not.toBe(pki.dir);
            expect(fs.existsSync(own.ca.cert)).toBe(true);
            expect(own.ca.fingerprint256).not.toBe(pki.ca.fingerprint256);
        } finally {
            fs.rmSync(own.dir, { recursive: true, force: true });
        }
    });
});
