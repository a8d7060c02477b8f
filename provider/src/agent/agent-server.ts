import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { HcsError } from "../hcs";
import { connectHost } from "../host/connect-host";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { UvmStepError } from "../uvm/step-error";
import { AgentError } from "./agent-error";
import { agentApi, ANSWERED_KEY, API_VERSION, CAPABILITIES, ERROR_DETAIL_KEY, type AgentErrorDetail, type WireAgentInfo, type WireVmEvent } from "./api";
import { AuditLog, type AuditEntry } from "./audit-log";
import { type CertificatePaths, ReloadingCertificates } from "./certificate-files";
import { EventFeed } from "./event-feed";
import { HeldVms } from "./held-vms";
import type { PathRoots } from "./path-roots";
import { allows, type Role, RoleTable } from "./roles";
import { VmRecords } from "./vm-records";
import { VmService } from "./vm-service";

/** EKU OID a client certificate must carry (RFC 5280 id-kp-clientAuth). */
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export interface AgentConfig {
    /** `host:port` to listen on (TCP only; port 0 picks a free one). */
    readonly listen: string;
    /** The host whose VMs the agent owns: `local` on Windows, `sim:…` against a simulator. */
    readonly host: string;
    readonly certificates: CertificatePaths;
    readonly rolesFile: string;
    readonly stateDir: string;
    readonly roots: PathRoots;
    /** Defaults to `<stateDir>/audit.log`. */
    readonly auditFile?: string | undefined;
    readonly version: string;
}

export interface RunningAgent {
    readonly port: number;
    readonly instanceId: string;
    readonly service: VmService;
    readonly certificates: ReloadingCertificates;
    /** What recovery did at start (lifecycle.md). */
    readonly recovered: { readonly undone: string[]; readonly terminated: string[]; readonly kept: string[]; readonly foreign: string[] };
    /**
     * Stops serving: no new calls, those in flight get `graceMs` to finish, then they are cut off (a
     * create cut off is undone at the next start). The VMs keep running; their guest connections end.
     */
    close(graceMs?: number): Promise<void>;
}

/** Who called, as the TLS layer verified them. */
interface Caller {
    readonly identity: string | undefined;
    readonly fingerprint256: string | undefined;
    readonly role: Role | undefined;
    readonly address: string;
    readonly clientAuth: boolean;
}

/**
 * Starts `pulumi-hcs agent`: recovers what a previous run left, then serves the HostAgent API and
 * grpc.health.v1 over mutual TLS (client certificates required and verified against the client CA;
 * TLS 1.2 or later, Node's floor), each call authorised by the caller's role.
 * @throws Error when the host, the certificate files, the roles file or the address cannot be used.
 */
export async function startAgent(config: AgentConfig): Promise<RunningAgent> {
    let roles = RoleTable.load(config.rolesFile);
    if (roles.size === 0) log.warn({ file: config.rolesFile }, "the roles file names nobody: every call will be refused");
    const events = new EventFeed();
    let backend: TargetHost | undefined;
    const held = new HeldVms(() => backend!, events);
    const direct = await connectHost(config.host);
    backend = { ...direct, guestOwner: held };
    const records = new VmRecords(config.stateDir);
    const service = new VmService({ host: backend, records, roots: config.roots, events, held });
    // What start finds is kept, and sent first to every WatchVms stream.
    const found: WireVmEvent[] = [];
    const unsubscribeFound = events.subscribe((event) => event.kind === "FOUND_AT_START" && found.push(event));
    const recovered = await service.recover();
    unsubscribeFound();
    const audit = new AuditLog(config.auditFile ?? `${config.stateDir}/audit.log`);
    const certificates = new ReloadingCertificates(config.certificates, () => {
        try {
            roles = RoleTable.load(config.rolesFile);
        } catch (err) {
            log.error({ err: (err as Error).message }, "the roles file changed into an unusable one; keeping the previous roles");
        }
    });
    const instanceId = randomUUID();
    const identity = direct.identity ?? "";

    const caller = (call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate }; getPeer(): string }): Caller => {
        const certificate = call.getAuthContext().sslPeerCertificate as (PeerCertificate & { ext_key_usage?: string[] }) | undefined;
        const cn = certificate?.subject?.CN;
        const commonName = Array.isArray(cn) ? cn[0] : cn;
        const fingerprint256 = certificate?.fingerprint256;
        return {
            identity: commonName,
            fingerprint256,
            role: certificate !== undefined && fingerprint256 !== undefined ? roles.roleOf({ commonName, fingerprint256 }) : undefined,
            address: call.getPeer(),
            // No EKU extension means any usage (RFC 5280); one without clientAuth is refused.
            clientAuth: certificate !== undefined && (certificate.ext_key_usage === undefined || certificate.ext_key_usage.includes(CLIENT_AUTH)),
        };
    };

    /** Why `who` may not call `method`, or undefined when it may. */
    const refusal = (who: Caller, method: string): AgentError | undefined => {
        if (who.fingerprint256 === undefined) return new AgentError(grpc.status.UNAUTHENTICATED, "a client certificate from the fleet's CA is required");
        if (!who.clientAuth) return new AgentError(grpc.status.PERMISSION_DENIED, `the client certificate of ${who.identity ?? "an unnamed client"} is not for client authentication (extended key usage clientAuth)`);
        if (!allows(who.role, method)) {
            return new AgentError(grpc.status.PERMISSION_DENIED, who.role === undefined
                ? `${who.identity ?? "this client"} holds no role on this agent (add its common name or sha256 fingerprint to the roles file)`
                : `${who.identity} holds the ${who.role} role, which may not call ${method.slice(method.lastIndexOf("/") + 1)}`);
        }
        return undefined;
    };

    const auditOf = (who: Caller, method: string, started: number, request: Record<string, unknown>, err?: unknown, response?: unknown): AuditEntry => ({
        peer: { fingerprint256: who.fingerprint256, identity: who.identity, role: who.role, address: who.address },
        method: method.slice(method.lastIndexOf("/") + 1),
        requestId: typeof request.request_id === "string" && request.request_id !== "" ? request.request_id : undefined,
        vm: typeof request.id === "string" && request.id !== "" ? request.id : vmIdOf(response, err),
        result: err === undefined ? "ok" : err instanceof AgentError && err.code !== grpc.status.NOT_FOUND && err.code !== grpc.status.UNAVAILABLE ? "refused" : "failed",
        code: grpc.status[err === undefined ? grpc.status.OK : codeOf(err)] ?? "UNKNOWN",
        hresult: hresultOf(err),
        error: err !== undefined ? (err as Error).message : undefined,
        durationMs: Date.now() - started,
    });

    /** A unary handler behind authorisation; mutations (and every refusal) are audited. */
    const unary = <Req extends Record<string, unknown>, Res>(method: string, mutating: boolean, handle: (request: Req, who: Caller) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
        (call, callback) => {
            const started = Date.now();
            const who = caller(call);
            const refused = refusal(who, method);
            if (refused) {
                audit.write(auditOf(who, method, started, call.request, refused));
                callback(toStatus(refused));
                return;
            }
            handle(call.request, who).then(
                (response) => {
                    if (mutating) audit.write(auditOf(who, method, started, call.request, undefined, response));
                    callback(null, response);
                },
                (err: unknown) => {
                    const entry = auditOf(who, method, started, call.request, err);
                    if (mutating || entry.result === "refused") audit.write(entry);
                    if (!(err instanceof AgentError)) log.warn({ method, err: (err as Error).message }, "call failed");
                    callback(toStatus(err));
                },
            );
        };


    const api = agentApi();
    const server = new grpc.Server({
        // Keepalives: a client that vanished (a killed provider) is noticed, and idle clients are allowed to ping.
        "grpc.keepalive_time_ms": 30_000,
        "grpc.keepalive_timeout_ms": 10_000,
        "grpc.keepalive_permit_without_calls": 1,
        "grpc.http2.min_ping_interval_without_data_ms": 5_000,
        "grpc.max_receive_message_length": 4 * 1024 * 1024,
    });
    server.addService(api.hostAgent.service, {
        GetAgentInfo: unary("/pulumi_hcs.agent.v1.HostAgent/GetAgentInfo", false, async (_request, who): Promise<WireAgentInfo> => {
            const facts = await backend!.facts();
            return {
                api_version: API_VERSION,
                agent_version: config.version,
                capabilities: [...CAPABILITIES],
                host_identity: identity,
                host_build: facts.build,
                logical_processors: facts.logicalProcessors,
                creator_processors: facts.creatorProcessors,
                instance_id: instanceId,
                caller_identity: who.identity ?? "",
                caller_role: who.role ?? "",
                draining: service.draining,
                layer_roots: [...config.roots.layers],
                scratch_roots: [...config.roots.scratch],
                dump_roots: [...config.roots.dumps],
            };
        }),
        ListVms: unary("/pulumi_hcs.agent.v1.HostAgent/ListVms", false, async () => ({ vms: await service.list() })),
        GetVm: unary("/pulumi_hcs.agent.v1.HostAgent/GetVm", false, (request: { id: string }) => service.get(request.id)),
        CreateVm: unary("/pulumi_hcs.agent.v1.HostAgent/CreateVm", true, (request) => service.create(request as never)),
        UpdateVm: unary("/pulumi_hcs.agent.v1.HostAgent/UpdateVm", true, (request) => service.update(request as never)),
        DeleteVm: unary("/pulumi_hcs.agent.v1.HostAgent/DeleteVm", true, async (request) => {
            await service.delete(request as never);
            return {};
        }),
        Drain: unary("/pulumi_hcs.agent.v1.HostAgent/Drain", true, async () => {
            const heldVmIds = await service.drain();
            healthListeners.forEach((listener) => listener());
            return { held_vm_ids: heldVmIds };
        }),
        WatchVms: (call: grpc.ServerWritableStream<Record<string, unknown>, WireVmEvent>) => {
            const method = "/pulumi_hcs.agent.v1.HostAgent/WatchVms";
            const who = caller(call);
            const refused = refusal(who, method);
            if (refused) {
                audit.write(auditOf(who, method, Date.now(), {}, refused));
                call.emit("error", toStatus(refused));
                return;
            }
            const unsubscribe = events.subscribe((event) => call.write(event));
            call.on("cancelled", unsubscribe);
            call.on("close", unsubscribe);
            for (const event of found) call.write(event);
            void service.list().then((vms) => {
                for (const vm of vms) call.write({ kind: "EXISTING", id: vm.id, runtime_id: vm.runtime_id, time: new Date().toISOString(), hresult: 0, message: vm.state });
            });
        },
    });

    const healthListeners = new Set<() => void>();
    const servingStatus = (service_: string) => (service_ === "" || service_ === "pulumi_hcs.agent.v1.HostAgent"
        ? (service.draining ? "NOT_SERVING" : "SERVING") : "SERVICE_UNKNOWN");
    server.addService(api.health.service, {
        Check: unary("/grpc.health.v1.Health/Check", false, async (request: { service: string }) => {
            const current = servingStatus(request.service);
            if (current === "SERVICE_UNKNOWN") throw new AgentError(grpc.status.NOT_FOUND, `unknown service ${request.service}`);
            return { status: current };
        }),
        Watch: (call: grpc.ServerWritableStream<{ service: string }, { status: string }>) => {
            const refused = refusal(caller(call), "/grpc.health.v1.Health/Watch");
            if (refused) {
                call.emit("error", toStatus(refused));
                return;
            }
            const send = () => call.write({ status: servingStatus(call.request.service) });
            healthListeners.add(send);
            call.on("cancelled", () => healthListeners.delete(send));
            send();
        },
    });

    const credentials = grpc.experimental.createCertificateProviderServerCredentials(certificates, certificates, true);
    let port: number;
    try {
        port = await new Promise<number>((resolve, reject) => server.bindAsync(config.listen, credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
    } catch (err) {
        certificates.close();
        audit.close();
        throw new Error(`Cannot listen on ${config.listen}: ${(err as Error).message}`);
    }
    auditHandshakeRefusals(server, audit);
    log.info({ listen: config.listen, port, host: config.host, hostId: identity, instanceId, ...recovered }, "pulumi-hcs agent serving");
    return {
        port,
        instanceId,
        service,
        certificates,
        recovered,
        close: async (graceMs = 10_000) => {
            await new Promise<void>((resolve) => {
                const cutOff = setTimeout(() => {
                    log.warn({ graceMs }, "calls still running after the grace period are cut off; an interrupted create is undone at the next start");
                    server.forceShutdown();
                    resolve();
                }, graceMs);
                server.tryShutdown(() => {
                    clearTimeout(cutOff);
                    resolve();
                });
            });
            held.closeAll();
            certificates.close();
            audit.close();
        },
    };
}

/**
 * Audits connections refused during the TLS handshake (no client certificate, a foreign CA, expired,
 * not yet valid, a wrong key usage, TLS below 1.2), which never reach a handler: an operator sees who
 * was turned away and why. grpc-js does not expose its HTTP/2 servers, so this reaches into its
 * `http2Servers`; should a release rename it, handshake refusals go unaudited and nothing else changes.
 */
function auditHandshakeRefusals(server: grpc.Server, audit: AuditLog): void {
    const servers = (server as unknown as { http2Servers?: Map<unknown, unknown> }).http2Servers;
    if (!(servers instanceof Map)) {
        log.warn("this grpc-js does not expose its HTTP/2 servers; TLS handshake refusals are not audited");
        return;
    }
    for (const http2Server of servers.keys()) {
        const on = (http2Server as { on?: (event: string, listener: (...args: never[]) => void) => void }).on?.bind(http2Server);
        // The peer's address, noted when it connects: a refused socket may have forgotten it by the time it is reported.
        const addresses = new WeakMap<object, string>();
        on?.("connection", (socket: { remoteAddress?: string; remotePort?: number }) => {
            if (socket.remoteAddress !== undefined) addresses.set(socket, `${socket.remoteAddress}:${socket.remotePort ?? ""}`);
        });
        on?.("tlsClientError", (err: Error, socket: TLSSocket & { _parent?: object }) => {
            // A certificate that does not verify ends the handshake with the reason on the socket, and a bare error.
            const reason = socket.authorizationError !== undefined && socket.authorizationError !== null ? String(socket.authorizationError) : opensslReason(err.message);
            audit.write({
                peer: { address: addresses.get(socket) ?? (socket._parent !== undefined ? addresses.get(socket._parent) : undefined) },
                method: "TLS handshake",
                result: "refused",
                code: grpc.status[grpc.status.UNAUTHENTICATED],
                error: reason.trim(),
                durationMs: 0,
            });
            // With a listener, ending the refused connection is the listener's job.
            socket.destroy();
        });
    }
}

/** OpenSSL's reason out of its error line (`…:SSL routines:<function>:<reason>:<file>:<line>:`). */
function opensslReason(message: string): string {
    return /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message;
}

/** The VM a create made (its answer) or was making (its error), for the audit line. */
function vmIdOf(response: unknown, err: unknown): string | undefined {
    if (response !== null && typeof response === "object" && typeof (response as { id?: unknown }).id === "string") return (response as { id: string }).id;
    return err instanceof UvmStepError ? err.computeSystemId : undefined;
}

function codeOf(err: unknown): grpc.status {
    if (err instanceof AgentError) return err.code;
    if (err instanceof UvmStepError || err instanceof HcsError || findHcsError(err) !== undefined) return grpc.status.UNKNOWN;
    return grpc.status.INTERNAL;
}

/** A gRPC status for an error, with the lifecycle's detail (step, HRESULT, what was left behind) as metadata. */
function toStatus(err: unknown): Partial<grpc.StatusObject> {
    const metadata = new grpc.Metadata();
    // Marks the status as the agent's own answer: a client retries only what never reached an agent.
    metadata.set(ANSWERED_KEY, "1");
    const hcs = findHcsError(err);
    const detail: AgentErrorDetail = {
        ...(err instanceof UvmStepError ? {
            step: err.step,
            action: err.action,
            computeSystemId: err.computeSystemId,
            ...(err.leftBehind !== undefined ? { leftBehind: { ...err.leftBehind } } : {}),
            rollbackFailures: err.rollbackFailures.map((f) => ({ step: f.step, message: f.error.message })),
        } : {}),
        ...(hcs !== undefined ? { hresult: hcs.hresult, hresultName: hcs.hresultName } : {}),
    };
    if (Object.keys(detail).length > 0) metadata.set(ERROR_DETAIL_KEY, JSON.stringify(detail));
    return { code: codeOf(err), details: (err as Error).message ?? String(err), metadata };
}

function findHcsError(err: unknown): HcsError | undefined {
    for (let current = err, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
        if (current instanceof HcsError) return current;
    }
    return undefined;
}

function hresultOf(err: unknown): string | undefined {
    const hcs = findHcsError(err);
    return hcs === undefined ? undefined : `${hcs.hresultName} (0x${hcs.hresult.toString(16).padStart(8, "0")})`;
}
