import { GuestConnection } from "../gcs/guest-connection";
import { UTC_TIME_ZONE, WINDOWS_GCS_HV_HOST_ID, WINDOWS_GCS_HVSOCK_SERVICE_ID, type HvSocketAddress, type ModificationRequest } from "../gcs/protocol";
import { type ComputeSystem, HRESULTS, HcsError, defaultTimeoutMs, timeoutEnvVar } from "../hcs";
import type { HvSocketConnection, HvSocketListener } from "../hvsock/hv-socket";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import type { Deadline } from "./deadline";
import type { GuestConnectionStatus } from "./state";
import { whenExited } from "./watch-exit";

/** What the guest said when it connected, as the VM's state records it. */
export interface GuestConnectionOutcome {
    readonly guestConnection: GuestConnectionStatus;
    readonly guestOsType?: string;
    readonly guestProtocolVersion?: number;
}

/** A VM this provider did not connect to. */
export const NO_GUEST_CONNECTION: GuestConnectionOutcome = { guestConnection: "none" };

/** A step of the start that failed, in hcsshim's words where it has them, and why. */
export class StartStepError extends Error {
    override readonly name = "StartStepError";

    constructor(readonly step: string, cause: unknown) {
        super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
}

export const START_STEPS = {
    listen: "failed to listen for the GCS connection",
    start: "failed to start the utility VM",
    /** hcsshim's text (uvm.Start). */
    connect: "failed to connect to GCS",
    negotiate: "failed to negotiate the GCS protocol",
    /** hcsshim's text (uvm.Start), around configureHvSocketForGCS's. */
    setup: "failed to do initial GCS setup",
} as const;

/**
 * hcsshim's `startExternalGcsListener` (create_wcow.go): a Hyper-V socket listener on the VM's
 * runtime ID and the Windows GCS service ID, bound before the VM starts so the guest finds it when it
 * dials. It lives in this process and ends with it.
 * @throws StartStepError (`failed to listen for the GCS connection`).
 */
export function listenForGuest(host: TargetHost, runtimeId: string): HvSocketListener {
    try {
        return host.hvSockets().listen({ vmId: runtimeId, serviceId: WINDOWS_GCS_HVSOCK_SERVICE_ID });
    } catch (err) {
        throw new StartStepError(START_STEPS.listen, err);
    }
}

export interface StartUtilityVmRequest {
    readonly host: TargetHost;
    readonly system: ComputeSystem;
    /** The VM's RuntimeId: its Hyper-V socket address, and the LocalAddress its guest is told. */
    readonly runtimeId: string;
    /** The listener bound before start (listenForGuest); closed here, whatever happens. */
    readonly listener: HvSocketListener;
    readonly noInheritHostTimezone: boolean;
    /** The operation's budget (the resource's timeouts): it bounds every step, as a cap on the named timeouts. */
    readonly deadline: Deadline;
}

/**
 * hcsshim's `UtilityVM.Start` (internal/uvm/start.go) for a WCOW VM with the external GCS bridge, in
 * its order and with its timeouts: HcsStartComputeSystem; accept the guest's connection and close
 * the listener; negotiate protocol 4 (sending the VM's time zone when the guest asks); send the
 * HvSocket settings. The guest must have connected and negotiated within the `gcsConnection` timeout
 * (two minutes, counted from the start request, as hcsshim's context is), or it fails as
 * HCS_E_CONNECTION_TIMEOUT; each request also has the bridge's `gcsRequest` timeout (five minutes).
 *
 * If anything fails after HcsStartComputeSystem succeeded, the VM is terminated (hcsshim's deferred
 * Terminate), so no VM runs without its guest connection.
 *
 * On a host with a long-lived owner (`host.guestOwner`: the host agent), the connection is handed to
 * it and the outcome is `connected`. Otherwise the connection ends with this call: this process is
 * a Pulumi provider, which exits after the operation, and with it would go the listener and every
 * connection it accepted. So the outcome is `lost` (state.ts, GuestConnectionStatus): the guest
 * connected and negotiated, and nobody holds it.
 * @throws StartStepError naming the failed step; the VM is terminated when it had started.
 */
export async function startUtilityVm(request: StartUtilityVmRequest): Promise<GuestConnectionOutcome> {
    const { host, system, runtimeId, listener, deadline } = request;
    const budget = connectionBudget(deadline);
    const startedAt = Date.now();
    let connection: HvSocketConnection | undefined;
    let guest: GuestConnection | undefined;
    let started = false;
    const context = new AbortController();
    let phase = "connect";
    const timer = setTimeout(() => context.abort(connectionTimeout(system.id, phase, budget)), budget.ms);
    try {
        try {
            await system.start(deadline.call());
            started = true;
        } catch (err) {
            throw new StartStepError(START_STEPS.start, err);
        }

        const exited = new AbortController();
        try {
            connection = await acceptAndClose(listener, system, context.signal, exited);
        } catch (err) {
            throw new StartStepError(START_STEPS.connect, err);
        } finally {
            exited.abort();
        }

        phase = "negotiate";
        try {
            const timeZone = request.noInheritHostTimezone ? UTC_TIME_ZONE : await host.timeZone();
            guest = await GuestConnection.connect(connection, {
                requestTimeoutMs: requestTimeoutMs(deadline),
                signal: context.signal,
                isColdStart: true,
                initialGuestState: { timeZone },
                name: system.id,
            });
        } catch (err) {
            throw new StartStepError(START_STEPS.negotiate, err);
        }

        phase = "configure HvSocket";
        try {
            await configureHvSocketForGcs(guest, runtimeId);
        } catch (err) {
            throw new StartStepError(START_STEPS.setup, err);
        }
        const { osType, protocolVersion } = guest.negotiated;
        const outcome = { guestOsType: osType, guestProtocolVersion: protocolVersion };
        if (host.guestOwner !== undefined) {
            host.guestOwner.hold({ id: system.id, runtimeId }, guest, connection);
            // Handed over: the owner closes them, not this call's cleanup.
            guest = undefined;
            connection = undefined;
            log.info({ id: system.id, runtimeId, ...outcome, ms: Date.now() - startedAt }, "guest connected and negotiated; the host's owner holds the connection");
            return { guestConnection: "connected", ...outcome };
        }
        log.info({ id: system.id, runtimeId, ...outcome, ms: Date.now() - startedAt },
            "guest connected and negotiated; the connection ends with this operation, as no process here outlives it");
        return { guestConnection: "lost", ...outcome };
    } catch (err) {
        if (started) {
            // hcsshim terminates (and waits) with the parent context, not the expired start context.
            await system.terminate(deadline.forCleanup().call()).catch((terminateErr: unknown) => {
                log.warn({ id: system.id, err: (terminateErr as Error).message }, "could not terminate the utility VM after its start failed");
            });
        }
        throw err;
    } finally {
        clearTimeout(timer);
        listener.close();
        guest?.close();
        connection?.close();
    }
}

/**
 * `acceptAndClose`: accepts one connection, then closes the listener (so no second guest can ever
 * connect); gives up when the context ends or the VM exits, preferring the context's error, then the
 * VM's, then accept's, as hcsshim does.
 */
async function acceptAndClose(listener: HvSocketListener, system: ComputeSystem, signal: AbortSignal, stopWatching: AbortController): Promise<HvSocketConnection> {
    const exit = whenExited(system, stopWatching.signal);
    exit.catch(() => undefined);
    const accepting = listener.accept(AbortSignal.any([signal, stopWatching.signal]));
    try {
        return await Promise.race([accepting, exit]);
    } catch (err) {
        // A connection accepted after we gave up is closed, not leaked.
        void accepting.then((late) => late.close(), () => undefined);
        if (signal.aborted) throw signal.reason;
        throw err;
    } finally {
        listener.close();
        stopWatching.abort();
    }
}

/**
 * `configureHvSocketForGCS`: tells the guest its own and its parent's Hyper-V socket addresses, which
 * HCS would send itself had it made the connection (start.go's comment). Sent as a guest modify for
 * the null container, which is how hcsshim's `uvm.modify` routes a GuestRequest once it has a bridge.
 */
async function configureHvSocketForGcs(guest: GuestConnection, runtimeId: string): Promise<void> {
    const settings: HvSocketAddress = { LocalAddress: runtimeId.toLowerCase(), ParentAddress: WINDOWS_GCS_HV_HOST_ID };
    const request: ModificationRequest = { RequestType: "Update", ResourceType: "HvSocket", Settings: settings };
    try {
        await guest.modify(request);
    } catch (err) {
        throw new Error(`failed to configure HVSOCK for external GCS: guest modify: ${(err as Error).message}`, { cause: err });
    }
}

interface Budget {
    readonly ms: number;
    /** Which limit it is, for the error: the named timeout, or the operation's budget. */
    readonly source: string;
}

/** hcsshim's 2-minute start context, or what is left of the operation's budget when that is less. */
function connectionBudget(deadline: Deadline): Budget {
    const named = defaultTimeoutMs("gcsConnection");
    const left = deadline.call().timeoutMs;
    if (left !== undefined && left < named) return { ms: left, source: "what was left of the operation's budget (the resource's timeouts)" };
    return { ms: named, source: `the 'gcsConnection' timeout; raise it with ${timeoutEnvVar("gcsConnection")}, in seconds` };
}

/** The bridge's per-request failure timeout, capped by the operation's budget. */
function requestTimeoutMs(deadline: Deadline): number {
    const named = defaultTimeoutMs("gcsRequest");
    const left = deadline.call().timeoutMs;
    return left !== undefined ? Math.min(left, named) : named;
}

/** The guest did not get there in time: HCS_E_CONNECTION_TIMEOUT, saying how far it got. */
function connectionTimeout(id: string, phase: string, budget: Budget): HcsError {
    const what = phase === "connect" ? "the guest compute service did not connect" : `the guest compute service did not finish the ${phase} step`;
    return new HcsError({ operation: "GCS connection", id }, HRESULTS.HCS_E_CONNECTION_TIMEOUT, undefined,
        `${what} within ${formatMs(budget.ms)} (${budget.source})`);
}

function formatMs(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
