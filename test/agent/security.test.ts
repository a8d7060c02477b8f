/**
 * The host agent's security model, against a real agent process on a simulated host: who gets a TLS
 * connection at all (a fleet-CA client certificate for client authentication, valid now, over TLS 1.2
 * or later), what the client checks of the agent (its name, its pin), what each role may call, which
 * paths an operator may name, certificate and roles rotation under running VMs, and what the audit
 * trail records (every refusal that reached the agent, every mutation, never a key or a spec).
 *
 * A refusal at TLS never reaches the agent's handlers: Node's TLS server verifies the client
 * certificate after the handshake and drops the socket without an alert (only a missing certificate
 * gets one, from OpenSSL), so the client sees only a closed connection. The agent audits it as a
 * refused "TLS handshake" with the reason (the peer's address, no identity: none was accepted).
 */
import * as grpc from "@grpc/grpc-js";
import { X509Certificate, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as tls from "node:tls";
import { AgentCallError, AgentClient } from "../../provider/src/agent/agent-client";
import { agentApi, type WireAgentInfo, type WireVm } from "../../provider/src/agent/api";
import { loadClientCredentials } from "../../provider/src/agent/client-credentials";
import { parseHostTarget } from "../../provider/src/model/host-target";
import { startTestAgent, type TestAgent, removeTestAgentFolders } from "../support/agent";
import type { CertFiles } from "../support/pki";
import { BASE_LAYER, eventually, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(30_000);

let host: TestHost;
let agent: TestAgent;
const clients: AgentClient[] = [];

beforeAll(async () => {
    host = await startTestHost();
    agent = await startTestAgent({ host: host.hostName });
});

afterAll(async () => {
    for (const client of clients) client.close();
    await agent?.stop();
    await host?.stop();
    removeTestAgentFolders();
});

/** A provider's client for `identity` (its certificate from the agent's test PKI made on first use). */
function clientFor(identity: string, extra: { pin?: string } = {}, target: TestAgent = agent): AgentClient {
    const client = new AgentClient(`${identity}@agent`, "127.0.0.1", target.port, loadClientCredentials(target.clientEnv(identity, extra)));
    clients.push(client);
    return client;
}

/** The AgentCallError a call ends in (the test fails when it succeeds). */
async function refusalOf(call: Promise<unknown>): Promise<AgentCallError> {
    const outcome = await call.then(
        (value) => ({ value }),
        (err: unknown) => ({ err }),
    );
    if (!("err" in outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.value)}`);
    expect(outcome.err).toBeInstanceOf(AgentCallError);
    return outcome.err as AgentCallError;
}

/** One HostAgent call on a channel of our own credentials, without AgentClient's retries: its error, or undefined. */
async function rawCall(credentials: grpc.ChannelCredentials, method = "GetAgentInfo"): Promise<grpc.ServiceError | undefined> {
    const client = new (agentApi().hostAgent)(`127.0.0.1:${agent.port}`, credentials, {
        // The agent's certificate names localhost too; the name keeps Node from warning about an IP as SNI.
        "grpc.ssl_target_name_override": "localhost",
    }) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    try {
        return await new Promise<grpc.ServiceError | undefined>((resolve) => {
            client[method]!.call(client, {}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null) => resolve(err ?? undefined));
        });
    } finally {
        client.close();
    }
}

function sslCredentials(client?: CertFiles): grpc.ChannelCredentials {
    const ca = Buffer.from(agent.pki.ca.certPem);
    return client === undefined ? grpc.credentials.createSsl(ca) : grpc.credentials.createSsl(ca, Buffer.from(client.keyPem), Buffer.from(client.certPem));
}

/** What one TLS connection to the agent came to, as the client saw it. */
interface TlsOutcome {
    /** The client finished its handshake (under TLS 1.3 it does before the server has checked its certificate). */
    readonly handshake: boolean;
    /** The server spoke (HTTP/2 SETTINGS): it accepted the client. */
    readonly served: boolean;
    readonly error?: string;
    readonly errorCode?: string;
    /** The agent certificate's SHA-256 fingerprint, once the handshake is done. */
    readonly peerFingerprint?: string;
}

function tlsProbe(options: tls.ConnectionOptions, port = agent.port): Promise<TlsOutcome> {
    return new Promise((resolve) => {
        let handshake = false;
        let peerFingerprint: string | undefined;
        const socket = tls.connect({ host: "127.0.0.1", servername: "localhost", port, ALPNProtocols: ["h2"], ca: agent.pki.ca.certPem, ...options });
        const done = (outcome: Omit<TlsOutcome, "handshake" | "peerFingerprint">) => {
            clearTimeout(timer);
            socket.destroy();
            resolve({ handshake, ...(peerFingerprint !== undefined ? { peerFingerprint } : {}), ...outcome });
        };
        const timer = setTimeout(() => done({ served: false, error: "no answer within 5 s" }), 5000);
        socket.on("secureConnect", () => {
            handshake = true;
            peerFingerprint = socket.getPeerCertificate().fingerprint256;
        });
        socket.on("data", () => done({ served: true }));
        socket.on("error", (err: NodeJS.ErrnoException) => done({ served: false, error: err.message, ...(err.code !== undefined ? { errorCode: err.code } : {}) }));
        socket.on("close", () => done({ served: false }));
    });
}

function tlsWith(client: CertFiles): tls.ConnectionOptions {
    return { key: client.keyPem, cert: client.certPem };
}

/** The agent's own test PKI files for an identity it knows (made on first use by clientEnv). */
function certOf(identity: string): CertFiles {
    const env = agent.clientEnv(identity);
    const cert = fs.readFileSync(env.PULUMI_HCS_AGENT_CERT!, "utf8");
    return { cert: env.PULUMI_HCS_AGENT_CERT!, key: env.PULUMI_HCS_AGENT_KEY!, certPem: cert, keyPem: fs.readFileSync(env.PULUMI_HCS_AGENT_KEY!, "utf8"), fingerprint256: new X509Certificate(cert).fingerprint256 };
}

/** The audit lines written since `mark` (a count of lines). */
function auditSince(mark: number): Record<string, unknown>[] {
    return agent.auditLines().slice(mark);
}

/** The handled calls' audit lines since `mark` (handshake refusals left out). */
function callsAuditedSince(mark: number, auditing: TestAgent = agent): Record<string, unknown>[] {
    return auditing.auditLines().slice(mark).filter((line) => line.method !== "TLS handshake");
}

/** Expects the TLS handshake refusals since `mark` to be audited, one of them with `reason`. */
async function expectHandshakeAudited(mark: number, reason: string | RegExp): Promise<void> {
    // The refusal is written as the socket closes, which may be just after the client gave up.
    for (let tries = 0; tries < 20 && !agent.auditLines().slice(mark).some((l) => l.method === "TLS handshake"); tries++) await new Promise((r) => setTimeout(r, 50));
    const lines = auditSince(mark);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ audit: true, method: "TLS handshake", result: "refused", code: "UNAUTHENTICATED", peer: { address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) } });
    expect(lines.map((l) => l.error)).toContainEqual(expect.stringMatching(reason));
}

/** A TLS-level refusal: UNAVAILABLE without an answer from the agent, audited as a refused handshake with `reason`. */
async function expectRefusedAtTls(client: CertFiles | undefined, detail: string | RegExp, reason: string | RegExp): Promise<void> {
    const mark = agent.auditLines().length;
    const err = await rawCall(sslCredentials(client));
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(err?.details).toMatch(detail);
    await expectHandshakeAudited(mark, reason);
}

describe("TLS: only a fleet client certificate, valid and for client authentication, gets a connection", () => {
    it("serves an operator's certificate (the control: the refusals below are of the certificate alone)", async () => {
        const operator = certOf("operator-1");
        const probe = await tlsProbe(tlsWith(operator));
        expect(probe).toMatchObject({ handshake: true, served: true, peerFingerprint: agent.serverCert.fingerprint256 });
        expect(await rawCall(sslCredentials(operator))).toBeUndefined();
    });

    it("refuses a client without a certificate at the handshake (TLS 1.3 alert certificate_required)", async () => {
        await expectRefusedAtTls(undefined, /No connection established.*tlsv13 alert certificate required/s, "peer did not return a certificate");
        const probe = await tlsProbe({});
        expect(probe).toMatchObject({ served: false, errorCode: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
    });

    it("refuses a certificate from a foreign CA, even one naming an operator", async () => {
        const foreign = agent.pki.client("operator-1", { foreign: true, name: "operator-1-foreign" });
        await expectRefusedAtTls(foreign, /No connection established. Last error: (Failed to connect|read ECONNRESET)/, /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$|^UNABLE_TO_GET_ISSUER_CERT/);
        expect(await tlsProbe(tlsWith(foreign))).toEqual({ handshake: true, served: false, peerFingerprint: agent.serverCert.fingerprint256 });
    });

    it("refuses an expired certificate and a not-yet-valid one", async () => {
        const hour = 60 * 60 * 1000;
        const expired = agent.pki.client("operator-1", { notAfter: new Date(Date.now() - hour), name: "operator-1-expired" });
        const future = agent.pki.client("operator-1", { notBefore: new Date(Date.now() + hour), name: "operator-1-future" });
        for (const [certificate, reason] of [[expired, "CERT_HAS_EXPIRED"], [future, "CERT_NOT_YET_VALID"]] as const) {
            await expectRefusedAtTls(certificate, /Failed to connect|read ECONNRESET/, reason);
            expect(await tlsProbe(tlsWith(certificate))).toMatchObject({ handshake: true, served: false });
        }
    });

    it("refuses a certificate for server authentication only at TLS (OpenSSL's purpose check), before the agent's own EKU check", async () => {
        const serverOnly = agent.pki.client("operator-1", { eku: "serverAuth", name: "operator-1-server-eku" });
        expect(new X509Certificate(serverOnly.certPem).keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
        await expectRefusedAtTls(serverOnly, /Failed to connect|read ECONNRESET/, "INVALID_PURPOSE");
        expect(await tlsProbe(tlsWith(serverOnly))).toMatchObject({ handshake: true, served: false });
    });

    it("refuses plaintext: an insecure channel gets no answer, and a grpc:// host is refused with the grpcs:// fix", async () => {
        const mark = agent.auditLines().length;
        const err = await rawCall(grpc.credentials.createInsecure());
        expect(err?.code).toBe(grpc.status.UNAVAILABLE);
        expect(err?.details).toMatch(/No connection established. Last error: Failed to connect/);
        await expectHandshakeAudited(mark, /./);

        const parsed = parseHostTarget(`grpc://127.0.0.1:${agent.port}`);
        expect(parsed.ok).toBe(false);
        expect(!parsed.ok && parsed.reason).toMatch(/without TLS, which agents refuse.*write "grpcs:\/\/" \+ the same name and port/);
        expect(parseHostTarget(agent.address)).toMatchObject({ ok: true, target: { kind: "agent", hostname: "127.0.0.1", port: agent.port } });
    });

    it("refuses TLS below 1.2: the agent answers a TLS 1.0/1.1 hello with a protocol_version alert", async () => {
        const operator = certOf("operator-1");
        // SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all, so the refusal is the agent's, not the client's own.
        const mark = agent.auditLines().length;
        const probe = await tlsProbe({ ...tlsWith(operator), minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" });
        await expectHandshakeAudited(mark, "unsupported protocol");
        expect(probe).toMatchObject({ handshake: false, served: false, errorCode: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" });
        expect(probe.error).toMatch(/tlsv1 alert protocol version/);
        // The same client at TLS 1.2 is served: the version is the only thing refused.
        expect(await tlsProbe({ ...tlsWith(operator), maxVersion: "TLSv1.2" })).toMatchObject({ handshake: true, served: true });
    });
});

describe("the client checks the agent", () => {
    it("refuses an agent whose certificate does not name the address it dialled", async () => {
        const other = await startTestAgent({ host: host.hostName, serverNames: { dnsNames: ["other.example"], ips: [] } });
        try {
            const certificate = new X509Certificate(other.serverCert.certPem);
            expect(certificate.subjectAltName).toBe("DNS:other.example");
            const err = await refusalOf(clientFor("operator-1", {}, other).call("GetAgentInfo", {}));
            expect(err.code).toBe(grpc.status.UNAVAILABLE);
            expect(err.message).toMatch(/GetAgentInfo \(UNAVAILABLE\): No connection established. Last error: Error \[ERR_TLS_CERT_ALTNAME_INVALID\]: Hostname\/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list/);
            // No call reached it.
            expect(callsAuditedSince(0, other)).toEqual([]);
        } finally {
            await other.stop();
        }
    });

    it("refuses an agent whose certificate matches no pin in PULUMI_HCS_AGENT_PIN, and accepts the pinned one", async () => {
        const wrongPin = "sha256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
        const err = await refusalOf(clientFor("operator-1", { pin: wrongPin }).call("GetAgentInfo", {}));
        expect(err.code).toBe(grpc.status.UNAVAILABLE);
        expect(err.message).toContain(`the agent's certificate (sha256 ${agent.serverCert.fingerprint256}) matches none of the pins in PULUMI_HCS_AGENT_PIN`);

        const info = await clientFor("operator-1", { pin: agent.serverCert.fingerprint256 }).call<WireAgentInfo>("GetAgentInfo", {});
        expect(info).toMatchObject({ caller_identity: "operator-1", caller_role: "operator" });
    });
});

/** Inputs of a VM on the simulator's base layer with its scratch in `scratch`. */
function specOf(inputs: Record<string, unknown>): { inputs_json: string } {
    return { inputs_json: JSON.stringify(inputs) };
}

/** Expects exactly one audit line since `mark`, a refusal of `method` to `identity` with `code`. */
function expectOneRefusal(mark: number, expected: { identity: string; role?: string; method: string; code: string; requestId?: string }): Record<string, unknown> {
    const lines = callsAuditedSince(mark);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
        audit: true,
        result: "refused",
        method: expected.method,
        code: expected.code,
        peer: { identity: expected.identity, fingerprint256: certOf(expected.identity).fingerprint256, ...(expected.role !== undefined ? { role: expected.role } : {}) },
        ...(expected.requestId !== undefined ? { requestId: expected.requestId } : {}),
    });
    // No role is no "role" at all, not an empty one.
    if (expected.role === undefined) expect(lines[0]!.peer).not.toHaveProperty("role");
    return lines[0]!;
}

describe("roles", () => {
    it("refuses a reader's CreateVm with PERMISSION_DENIED naming the role, audited", async () => {
        const mark = agent.auditLines().length;
        const requestId = randomUUID();
        const err = await refusalOf(clientFor("reader-1").call("CreateVm", { request_id: requestId, spec: specOf({ layerFolders: [BASE_LAYER, "C:\\uvms\\reader"] }) }, { mutation: true }));
        expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
        expect(err.message).toBe("host agent reader-1@agent CreateVm (PERMISSION_DENIED): reader-1 holds the reader role, which may not call CreateVm");
        expectOneRefusal(mark, { identity: "reader-1", role: "reader", method: "CreateVm", code: "PERMISSION_DENIED", requestId });
        expect(await host.client.enumerateComputeSystems()).toEqual([]);
    });

    it("lets a reader read: GetAgentInfo and ListVms (reads are not audited)", async () => {
        const mark = agent.auditLines().length;
        const reader = clientFor("reader-1");
        expect(await reader.call<WireAgentInfo>("GetAgentInfo", {})).toMatchObject({ caller_identity: "reader-1", caller_role: "reader" });
        expect(await reader.call("ListVms", {})).toEqual({ vms: [] });
        expect(callsAuditedSince(mark)).toEqual([]);
    });

    it("refuses a fleet certificate whose name is in no role, even for a read, audited", async () => {
        const mark = agent.auditLines().length;
        const err = await refusalOf(clientFor("stranger-1").call("GetAgentInfo", {}));
        expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
        expect(err.message).toContain("stranger-1 holds no role on this agent (add its common name or sha256 fingerprint to the roles file)");
        expectOneRefusal(mark, { identity: "stranger-1", method: "GetAgentInfo", code: "PERMISSION_DENIED" });
    });

    it("refuses an operator's Drain, audited, and the agent keeps taking changes", async () => {
        const mark = agent.auditLines().length;
        const err = await refusalOf(clientFor("operator-1").call("Drain", {}, { mutation: true }));
        expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
        expect(err.message).toContain("operator-1 holds the operator role, which may not call Drain");
        expectOneRefusal(mark, { identity: "operator-1", role: "operator", method: "Drain", code: "PERMISSION_DENIED" });
        expect(await clientFor("reader-1").call<WireAgentInfo>("GetAgentInfo", {})).toMatchObject({ draining: false });
    });
});

describe("paths outside the agent's roots", () => {
    const simFs = (...names: string[]) => path.join(host.sim.root, "fs", "c", ...names);

    beforeAll(() => {
        // A link inside the scratch root that leads out of it.
        fs.mkdirSync(simFs("uvms"), { recursive: true });
        fs.mkdirSync(simFs("other"), { recursive: true });
        fs.symlinkSync(simFs("other"), simFs("uvms", "escape"));
    });

    afterAll(() => {
        fs.rmSync(simFs("uvms", "escape"));
    });

    // Paths the resolver already refuses (UNC, device) are INVALID_ARGUMENT before the roots are looked
    // at, and `..` is collapsed by it first (C:\uvms\..\Windows\x is C:\Windows\x to the root check).
    const cases: { name: string; inputs: Record<string, unknown>; code: keyof typeof grpc.status; message: string }[] = [
        {
            name: "a `..` out of the scratch root",
            inputs: { layerFolders: [BASE_LAYER, "C:\\uvms\\..\\Windows\\x"] },
            code: "PERMISSION_DENIED",
            message: "paths outside this agent's roots: layerFolders[1] \"C:\\Windows\\x\": it is not under the agent's scratch roots (C:\\uvms)",
        },
        {
            name: "a UNC layer",
            inputs: { layerFolders: ["\\\\server\\share\\base", "C:\\uvms\\unc"] },
            code: "INVALID_ARGUMENT",
            message: "spec: layerFolders[0]: \"\\\\server\\share\\base\" is not a usable Windows path: UNC paths (\\\\server\\share\\…) are not supported",
        },
        {
            name: "a device-path scratch",
            inputs: { layerFolders: [BASE_LAYER, "\\\\?\\C:\\uvms\\x"] },
            code: "INVALID_ARGUMENT",
            message: "spec: layerFolders[1]: \"\\\\?\\C:\\uvms\\x\" is not a usable Windows path: device and namespace paths (\\\\.\\, \\\\?\\, \\??\\) are not supported",
        },
        {
            name: "a scratch folder under C:\\other",
            inputs: { layerFolders: [BASE_LAYER, "C:\\other\\x"] },
            code: "PERMISSION_DENIED",
            message: "paths outside this agent's roots: layerFolders[1] \"C:\\other\\x\": it is not under the agent's scratch roots (C:\\uvms)",
        },
        {
            name: "a layer outside the layer roots (the scratch root is not one)",
            inputs: { layerFolders: ["C:\\uvms\\not-a-layer", "C:\\uvms\\layer"] },
            code: "PERMISSION_DENIED",
            message: "paths outside this agent's roots: layerFolders[0] \"C:\\uvms\\not-a-layer\": it is not under the agent's layers roots (C:\\layers)",
        },
        {
            name: "a dump directory outside the dump roots",
            inputs: { layerFolders: [BASE_LAYER, "C:\\uvms\\dump"], dumpDirectoryPath: "C:\\other\\dumps" },
            code: "PERMISSION_DENIED",
            message: "paths outside this agent's roots: dumpDirectoryPath \"C:\\other\\dumps\": it is not under the agent's dumps roots (C:\\dumps)",
        },
        {
            name: "a symlink escaping the scratch root",
            inputs: { layerFolders: [BASE_LAYER, "C:\\uvms\\escape\\vm"] },
            code: "PERMISSION_DENIED",
            message: "paths outside this agent's roots: layerFolders[1] \"C:\\uvms\\escape\\vm\": it is under C:\\uvms only as written: a link or junction in it leads outside the agent's scratch roots",
        },
    ];

    it.each(cases)("refuses $name ($code), audited", async ({ inputs, code, message }) => {
        const mark = agent.auditLines().length;
        const requestId = randomUUID();
        const err = await refusalOf(clientFor("operator-1").call("CreateVm", { request_id: requestId, spec: specOf(inputs), resource: "" }, { mutation: true }));
        expect(grpc.status[err.code]).toBe(code);
        expect(err.message).toContain(`CreateVm (${code}): ${message}`);
        const line = expectOneRefusal(mark, { identity: "operator-1", role: "operator", method: "CreateVm", code, requestId });
        expect(line.error).toContain(message);
        expect(line.vm).toBeUndefined();
    });

    it("created nothing on the host: no system, no folder, nothing through the link", async () => {
        expect(await host.client.enumerateComputeSystems()).toEqual([]);
        expect(fs.readdirSync(simFs("uvms"))).toEqual(["escape"]);
        expect(fs.readdirSync(simFs("other"))).toEqual([]);
        expect(fs.existsSync(simFs("windows"))).toBe(false);
        expect(fs.readdirSync(simFs())).toEqual(expect.arrayContaining(["layers", "other", "uvms"]));
        expect(fs.readdirSync(simFs()).filter((name) => !["layers", "other", "uvms"].includes(name))).toEqual([]);
        expect(agent.auditLines().filter((line) => line.method === "CreateVm" && line.result !== "refused")).toEqual([]);
    });
});

/** Writes `text` to `file` by renaming a temporary file over it, as a careful rotation does. */
function replaceFile(file: string, text: string): void {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
}

describe("rotation with VMs running", () => {
    let vm: WireVm;

    beforeAll(async () => {
        vm = await clientFor("operator-1").call<WireVm>("CreateVm", {
            spec: specOf({ layerFolders: [BASE_LAYER, "C:\\uvms\\rot"] }),
            resource: "urn:pulumi:security::agent::hcs:index:WcowUtilityVm::rot",
        }, { mutation: true });
        expect(vm).toMatchObject({ state: "Running", guest_connection: "GUEST_CONNECTION_CONNECTED" });
    });

    it("serves a new certificate from the files within seconds; the VM runs on, its guest still connected", async () => {
        const opened = clientFor("operator-1");
        await opened.call("GetAgentInfo", {});
        const rotated = agent.pki.server({ name: "agent-rotated" });
        expect(rotated.fingerprint256).not.toBe(agent.serverCert.fingerprint256);
        replaceFile(agent.serverCert.key, rotated.keyPem);
        replaceFile(agent.serverCert.cert, rotated.certPem);
        const operator = tlsWith(certOf("operator-1"));
        await eventually(async () => {
            expect((await tlsProbe(operator)).peerFingerprint).toBe(rotated.fingerprint256);
        }, 6000);
        expect(agent.output()).toContain(`"fingerprint256":"${rotated.fingerprint256}","msg":"reloaded the agent's certificate files`);

        // A connection opened before the rotation and a new one (checking the new certificate) both see the VM as it was.
        for (const client of [opened, clientFor("reader-1")]) {
            expect(await client.call<WireVm>("GetVm", { id: vm.id })).toMatchObject({ id: vm.id, runtime_id: vm.runtime_id, state: "Running", guest_connection: "GUEST_CONNECTION_CONNECTED" });
        }
        const [system] = await host.client.enumerateComputeSystems();
        expect(system).toMatchObject({ Id: vm.id, State: "Running" });

        // A broken set (the key of another certificate) is logged and ignored: the rotated one stays.
        const mark = agent.output().length;
        replaceFile(agent.serverCert.key, agent.serverCert.keyPem);
        await eventually(() => {
            expect(agent.output().slice(mark)).toMatch(/"problem":"Cannot use [^"]*agent\.crt with [^"]*agent\.key: [^"]*key values mismatch[^"]*","msg":"the agent's certificate files changed into an unusable set; still serving the previous one"/);
        }, 6000);
        expect(await tlsProbe(operator)).toMatchObject({ served: true, peerFingerprint: rotated.fingerprint256 });
        expect(await clientFor("operator-1").call<WireVm>("GetVm", { id: vm.id })).toMatchObject({ state: "Running", guest_connection: "GUEST_CONNECTION_CONNECTED" });

        // Whole again, for the tests after this one.
        replaceFile(agent.serverCert.key, rotated.keyPem);
    });

    it("lets a new identity in within seconds of its addition to the roles file", async () => {
        const newcomer = certOf("newcomer-1");
        const mark = agent.auditLines().length;
        const refused = await refusalOf(clientFor("newcomer-1").call("GetVm", { id: vm.id }));
        expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
        expectOneRefusal(mark, { identity: "newcomer-1", method: "GetVm", code: "PERMISSION_DENIED" });

        const rolesFile = path.join(agent.dir, "roles.json");
        const roles = JSON.parse(fs.readFileSync(rolesFile, "utf8")) as Record<string, string[]>;
        // By fingerprint, the form that names one certificate exactly.
        replaceFile(rolesFile, JSON.stringify({ ...roles, operator: [...roles.operator!, `sha256:${newcomer.fingerprint256}`] }));
        const client = clientFor("newcomer-1");
        const started = Date.now();
        await eventually(async () => {
            expect(await client.call<WireAgentInfo>("GetAgentInfo", {})).toMatchObject({ caller_identity: "newcomer-1", caller_role: "operator" });
        }, 6000);
        expect(Date.now() - started).toBeLessThan(6000);
        expect(await client.call<WireVm>("GetVm", { id: vm.id })).toMatchObject({ id: vm.id, guest_connection: "GUEST_CONNECTION_CONNECTED" });
    });
});

describe("the audit trail", () => {
    it("records a successful create once: ok, the identity, the request ID and the VM", async () => {
        const mark = agent.auditLines().length;
        const requestId = randomUUID();
        const created = await clientFor("operator-1").call<WireVm>("CreateVm", { request_id: requestId, spec: specOf({ layerFolders: [BASE_LAYER, "C:\\uvms\\audited"] }), resource: "" }, { mutation: true });
        // Handshake refusals of earlier cases' clients (still reconnecting) may land meanwhile.
        const lines = callsAuditedSince(mark);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({
            audit: true,
            method: "CreateVm",
            result: "ok",
            code: "OK",
            requestId,
            vm: created.id,
            peer: { identity: "operator-1", role: "operator", fingerprint256: certOf("operator-1").fingerprint256 },
        });
        expect(lines[0]!.error).toBeUndefined();
        expect(typeof lines[0]!.durationMs).toBe("number");
        // The agent's log carries the same entry (and the file is only its owner's).
        expect(agent.output()).toContain(`"requestId":"${requestId}","vm":"${created.id}","result":"ok"`);
        expect(fs.statSync(agent.auditFile).mode & 0o777).toBe(0o600);
    });

    it("holds no private key and no spec, in the audit file or the agent's log", () => {
        const keyFiles = fs.readdirSync(agent.pki.dir).filter((name) => name.endsWith(".key"));
        // Every key the agent ever served or a client used, and both CAs'.
        expect(keyFiles).toEqual(expect.arrayContaining(["agent.key", "agent-rotated.key", "operator-1.key", "reader-1.key", "ca.key"]));
        const keyLines = keyFiles.flatMap((name) => fs.readFileSync(path.join(agent.pki.dir, name), "utf8").split("\n").filter((line) => /^[A-Za-z0-9+/=]{16,}$/.test(line)));
        expect(keyLines.length).toBeGreaterThan(keyFiles.length);
        const audit = fs.readFileSync(agent.auditFile, "utf8");
        const output = agent.output();
        expect(audit.split("\n").length).toBeGreaterThan(10);
        for (const text of [audit, output]) {
            expect(text).not.toContain("PRIVATE KEY");
            for (const line of keyLines) expect(text).not.toContain(line);
            // Each spec this file sent, as sent and as it would read inside a JSON log line.
            for (const spec of SPECS_SENT) {
                expect(text).not.toContain(spec);
                expect(text).not.toContain(JSON.stringify(spec).slice(1, -1));
            }
            expect(text).not.toContain("inputs_json");
        }
    });
});

/** Specs the tests above sent, kept to check none was logged. */
const SPECS_SENT = [
    JSON.stringify({ layerFolders: [BASE_LAYER, "C:\\uvms\\rot"] }),
    JSON.stringify({ layerFolders: [BASE_LAYER, "C:\\uvms\\audited"] }),
    JSON.stringify({ layerFolders: [BASE_LAYER, "C:\\uvms\\..\\Windows\\x"] }),
    JSON.stringify({ layerFolders: [BASE_LAYER, "C:\\uvms\\escape\\vm"] }),
];
