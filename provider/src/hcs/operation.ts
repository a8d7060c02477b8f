import koffi from "koffi";
import type { ComputeCore, Handle, Out } from "./computecore";
import { HcsError, type HcsErrorContext } from "./hcs-error";
import { HRESULTS, failed } from "./hresult";

/**
 * Runs computecore calls as HCS operations without ever blocking the Node event loop.
 *
 * One completion callback is registered for the whole process and dispatches by operation handle
 * (koffi allows 8192 registrations; one per call would also churn). HCS calls it on one of its own
 * threads; koffi relays the call to the JS main thread, where we collect the result with a zero
 * timeout wait (the operation is complete, so it cannot block).
 *
 * Why a JS timer rather than a timed HcsWaitForOperationResult: a blocking wait on `.async` would
 * hold one of libuv's four pool threads per pending operation, so 50 concurrent creates would run
 * four at a time. The timer also keeps Node alive while an operation is pending, which koffi's
 * unref'd callback relay does not (reference: koffi-grpc-pino §1.6).
 */
interface Pending {
    readonly context: HcsErrorContext;
    readonly resolve: (document: string | undefined) => void;
    readonly reject: (error: Error) => void;
    readonly timer: NodeJS.Timeout;
}

/** What a caller passes to start the operation: the computecore call, with the operation handle. */
export type StartOperation = (operation: Handle) => number;

export interface OperationTimeout {
    /** How long to wait for HCS to complete the operation. */
    readonly ms: number;
    /** Where the value came from, for the error when it fires, e.g. `the 'start' timeout (PULUMI_HCS_TIMEOUT_START)`. */
    readonly source: string;
}

export class OperationRunner {
    private readonly pending = new Map<Handle, Pending>();
    /** Operations whose wait timed out: HCS may still complete them; close them when it does. */
    private readonly abandoned = new Set<Handle>();
    private readonly completion: Handle;

    constructor(private readonly hcs: ComputeCore) {
        this.completion = koffi.register(
            (operation: Handle) => this.onComplete(operation),
            hcs.types.HCS_OPERATION_COMPLETION,
        );
    }

    /** Operations started and not yet settled; tests use it to prove nothing is left pending. */
    get pendingCount(): number {
        return this.pending.size;
    }

    /** Operations that timed out and whose completion has not arrived yet. */
    get abandonedCount(): number {
        return this.abandoned.size;
    }

    /**
     * Creates an operation, starts it with `start`, and resolves with its result document (or
     * undefined when HCS returned none) once HCS completes it.
     * @throws HcsError when the call is refused, the operation fails, or the timeout passes.
     */
    run(context: HcsErrorContext, timeout: OperationTimeout, start: StartOperation): Promise<string | undefined> {
        return new Promise((resolve, reject) => {
            const operation = this.hcs.HcsCreateOperation(null, this.completion);
            if (operation === null) {
                reject(new HcsError(context, HRESULTS.E_OUTOFMEMORY, undefined, "HcsCreateOperation returned NULL"));
                return;
            }
            const timer = setTimeout(() => this.onTimeout(operation, timeout), timeout.ms);
            this.pending.set(operation, { context, resolve, reject, timer });
            let hr: number;
            try {
                hr = start(operation);
            } catch (err) {
                this.settleLocally(operation);
                reject(err as Error);
                return;
            }
            if (failed(hr)) {
                // Refused before it started: HCS will never complete it, so it is ours to close now.
                this.settleLocally(operation);
                reject(new HcsError(context, hr));
            }
        });
    }

    private settleLocally(operation: Handle): void {
        const entry = this.pending.get(operation);
        if (entry) clearTimeout(entry.timer);
        this.pending.delete(operation);
        this.hcs.HcsCloseOperation(operation);
    }

    private onComplete(operation: Handle): void {
        // Never throw back into native code: koffi would hand HCS a zeroed return and lose the error.
        try {
            const entry = this.pending.get(operation);
            if (!entry) {
                if (this.abandoned.delete(operation)) this.closeLater(operation);
                return;
            }
            this.pending.delete(operation);
            clearTimeout(entry.timer);
            const document: Out<string> = [null];
            const hr = this.hcs.HcsWaitForOperationResult(operation, 0, document);
            this.closeLater(operation);
            if (failed(hr)) entry.reject(new HcsError(entry.context, hr, document[0] ?? undefined));
            else entry.resolve(document[0] ?? undefined);
        } catch (err) {
            process.emitWarning(`pulumi-hcs: operation completion failed: ${(err as Error).message}`);
        }
    }

    private onTimeout(operation: Handle, timeout: OperationTimeout): void {
        const entry = this.pending.get(operation);
        if (!entry) return;
        this.pending.delete(operation);
        // HCS cannot cancel (HcsCancelOperation is E_NOTIMPL), so the operation may still finish;
        // closing it now could race its completion, so it is closed when the completion arrives.
        this.abandoned.add(operation);
        entry.reject(new HcsError(entry.context, HRESULTS.HCS_E_OPERATION_TIMEOUT, undefined,
            `did not complete within ${timeout.ms} ms, ${timeout.source}`));
    }

    /**
     * The native thread that called us may still touch the operation after we return, so closing
     * it inside the callback is deferred (reference: windows-under-wine §7).
     */
    private closeLater(operation: Handle): void {
        setImmediate(() => this.hcs.HcsCloseOperation(operation));
    }
}
