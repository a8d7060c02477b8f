import { randomUUID } from "node:crypto";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { log } from "../log/logger";
import { UvmStepError } from "../uvm/step-error";
import { agentApi, ANSWERED_KEY, API_VERSION, ERROR_DETAIL_KEY, type AgentErrorDetail, type WireAgentInfo } from "./api";
import { type ClientCredentials, loadClientCredentials } from "./client-credentials";

/** EKU OID the agent's certificate must carry (RFC 5280 id-kp-serverAuth). */
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/** Per-call deadline of reads (info, list, get). */
const READ_DEADLINE_MS = 30_000;
/** Deadline of a mutation without a budget: above the lifecycle's own longest defaults (4-minute start, 2-minute guest). */
const MUTATION_DEADLINE_MS = 15 * 60_000;
/** Attempts of one call when the agent cannot be reached (the same request ID each time). */
const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 500;

/** A failed agent call: names the agent, the method, the gRPC status and, when HCS failed, the HRESULT. */
export class AgentCallError extends Error {
    override readonly name = "AgentCallError";

    constructor(
        readonly agent: string,
        readonly method: string,
        readonly code: grpc.status,
        details: string,
        readonly detail: AgentErrorDetail,
        /** Whether the agent itself sent this status (else the call never reached an agent). */
        readonly answered = false,
    ) {
        const codeName = code === grpc.status.UNKNOWN ? "" : ` (${grpc.status[code]})`;
        super(`host agent ${agent} ${method}${codeName}: ${details}`);
    }

    get hresult(): number | undefined {
        return this.detail.hresult;
    }
}

/**
 * grpc-js hands an IP address to TLS as the server name, which Node flags once per process (DEP0123)
 * on stderr, where Pulumi shows it as a warning under the resource. The name is ignored for IPs, and
 * the certificate is still checked against the IP (checkServerIdentity), so that one notice is dropped.
 */
function quietIpServerNameNotice(): void {
    const emit = process.emitWarning;
    if ((emit as { quiet?: boolean }).quiet) return;
    const quiet = ((warning: string | Error, ...rest: unknown[]) => {
        const code = typeof rest[0] === "object" && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
        if (code === "DEP0123") return;
        (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    (quiet as { quiet?: boolean }).quiet = true;
    process.emitWarning = quiet;
}

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: unknown) => void) => grpc.ClientUnaryCall;

/**
 * A connection to one host agent (`grpcs://name:port`), shared by every resource on that host in
 * this process. Mutual TLS with the credentials from client-credentials.ts; the agent's certificate
 * must chain to the CA, name the host the address names, carry serverAuth, and match a pin if pins
 * are set. Calls have deadlines; a call that could not reach the agent is retried a few times with
 * the same request ID, which the agent answers once.
 */
export class AgentClient {
    private readonly client: grpc.Client & Record<string, UnaryMethod>;
    private info: Promise<WireAgentInfo> | undefined;

    constructor(readonly name: string, hostname: string, port: number, credentials: ClientCredentials = loadClientCredentials()) {
        const api = agentApi();
        quietIpServerNameNotice();
        const channel = grpc.credentials.createSsl(credentials.ca, credentials.key, credentials.cert, {
            checkServerIdentity: (host, certificate) => serverProblem(host, certificate, credentials.pins),
        });
        this.client = new api.hostAgent(`${hostname}:${port}`, channel, {
            // Keepalives: a silently dropped connection (a killed agent, a dead link) fails the call
            // instead of hanging it until its deadline (pulumi-command#199).
            "grpc.keepalive_time_ms": 20_000,
            "grpc.keepalive_timeout_ms": 10_000,
            "grpc.keepalive_permit_without_calls": 1,
            // Reconnects after a failed connection soon, so retries see a restarted agent.
            "grpc.initial_reconnect_backoff_ms": 200,
            "grpc.max_reconnect_backoff_ms": 2000,
            "grpc.enable_retries": 0,
        }) as unknown as grpc.Client & Record<string, UnaryMethod>;
    }

    /** AgentInfo, once per process (the facts and identity options resolve against). */
    agentInfo(): Promise<WireAgentInfo> {
        this.info ??= this.call<WireAgentInfo>("GetAgentInfo", {}).then((info) => {
            if (info.api_version !== API_VERSION) log.warn({ agent: this.name, api: info.api_version }, "the agent serves another API version");
            return info;
        });
        this.info.catch(() => (this.info = undefined));
        return this.info;
    }

    /**
     * One unary call. Mutations carry `request_id` (set here when absent), kept across retries.
     * @throws AgentCallError.
     */
    async call<T>(method: string, request: Record<string, unknown>, options: { readonly deadlineMs?: number; readonly mutation?: boolean } = {}): Promise<T> {
        const body = options.mutation && !request.request_id ? { ...request, request_id: randomUUID() } : request;
        const deadlineMs = options.deadlineMs ?? (options.mutation ? MUTATION_DEADLINE_MS : READ_DEADLINE_MS);
        for (let attempt = 1; ; attempt++) {
            try {
                return await this.once<T>(method, body, deadlineMs);
            } catch (err) {
                const failure = err as AgentCallError;
                // Only "could not reach it": anything the agent answered (draining, say) is its answer.
                if (failure.code !== grpc.status.UNAVAILABLE || failure.answered || attempt >= ATTEMPTS) throw err;
                const wait = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
                // Not a warning: the call's own error, if it comes, is what the user needs to see once.
                log.info({ agent: this.name, method, attempt, requestId: body.request_id, err: failure.message }, `the agent could not be reached; retrying in ${wait} ms`);
                await new Promise((resolve) => setTimeout(resolve, wait));
            }
        }
    }

    private once<T>(method: string, request: Record<string, unknown>, deadlineMs: number): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            const fn = this.client[method];
            if (typeof fn !== "function") {
                reject(new AgentCallError(this.name, method, grpc.status.UNIMPLEMENTED, "this provider does not know the method", {}));
                return;
            }
            fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, response) => {
                if (err) reject(this.failure(method, err));
                else resolve(response as T);
            });
        });
    }

    private failure(method: string, err: grpc.ServiceError): Error {
        const raw = err.metadata?.get(ERROR_DETAIL_KEY)[0];
        let detail: AgentErrorDetail = {};
        try {
            if (typeof raw === "string") detail = JSON.parse(raw) as AgentErrorDetail;
        } catch {
            // A detail we cannot read is only detail: the message says what happened.
        }
        // grpc-js ends a connection failure's text with an empty "Resolution note:"; it says nothing.
        const text = (err.details || err.message).replace(/\s*Resolution note:\s*$/, "");
        const details = err.code === grpc.status.DEADLINE_EXCEEDED ? `no answer before the call's deadline (${text})` : text;
        const error = new AgentCallError(this.name, method, err.code, details, detail, err.metadata?.get(ANSWERED_KEY).length > 0);
        if (detail.step === undefined || detail.computeSystemId === undefined) return error;
        // The lifecycle's own error, so the provider records what a failed create left behind.
        const step = new UvmStepError(detail.action ?? method, detail.computeSystemId, detail.step, error,
            (detail.rollbackFailures ?? []).map((f) => ({ step: f.step, error: new Error(f.message) })), detail.leftBehind as never);
        Object.defineProperty(step, "message", { value: error.message });
        return step;
    }

    close(): void {
        this.client.close();
    }
}

/** Why the agent's certificate is not acceptable for `host`, or undefined: name, serverAuth, pins. */
function serverProblem(host: string, certificate: PeerCertificate, pins: readonly string[]): Error | undefined {
    const nameProblem = checkServerIdentity(host, certificate);
    if (nameProblem) return nameProblem;
    const usages = (certificate as PeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
    if (usages !== undefined && !usages.includes(SERVER_AUTH)) return new Error(`the agent's certificate is not for server authentication (extended key usage serverAuth)`);
    if (pins.length > 0) {
        const fingerprint = certificate.fingerprint256.replace(/:/g, "").toUpperCase();
        if (!pins.includes(fingerprint)) return new Error(`the agent's certificate (sha256 ${certificate.fingerprint256}) matches none of the pins in PULUMI_HCS_AGENT_PIN`);
    }
    return undefined;
}
