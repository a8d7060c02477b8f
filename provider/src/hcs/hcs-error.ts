import { HRESULTS, formatHresult, hresultDescription, hresultName, toHresult } from "./hresult";
import { eventsAddingTo, formatEvent, type HcsErrorEvent, parseResultError } from "./result-document";

/** What failed: the computecore function, and the compute system it was called for (when there is one). */
export interface HcsErrorContext {
    /** The computecore function, e.g. `HcsStartComputeSystem`. */
    readonly operation: string;
    /** The compute-system ID, absent for service-wide calls. */
    readonly id?: string | undefined;
}

/**
 * A failed HCS call: the operation, the compute-system ID, the HRESULT (name and hex) and the error
 * events HCS returned. Errors are never wrapped twice: code above the binding adds context with
 * `cause`, and asks the predicates below instead of matching message text.
 */
export class HcsError extends Error {
    override readonly name = "HcsError";
    readonly operation: string;
    /**
     * What HCS said, without the operation and the ID: the HRESULT's name and hex value, the error
     * message, and the events that add to it. A caller that already names the system (UvmStepError)
     * says `<operation> failed: <reason>` instead of repeating the ID.
     */
    readonly reason: string;
    /**
     * The compute-system ID. Not named `id`: Pulumi's dynamic-provider host reads an error's `id` as
     * "created, but failed to initialize" and would record a resource with no properties.
     */
    readonly computeSystemId: string | undefined;
    /** Unsigned 32-bit HRESULT. */
    readonly hresult: number;
    readonly hresultName: string;
    readonly errorMessage: string | undefined;
    readonly events: readonly HcsErrorEvent[];
    /** The raw result document, when HCS sent one that was not a ResultError. */
    readonly resultDocument: string | undefined;

    constructor(context: HcsErrorContext, hresult: number, resultDocument?: string, detail?: string) {
        const hr = toHresult(hresult);
        const parsed = parseResultError(resultDocument);
        const events = parsed.ErrorEvents ?? [];
        const subject = context.id === undefined ? context.operation : `${context.operation} '${context.id}'`;
        const why = detail ?? parsed.ErrorMessage ?? hresultDescription(hr);
        const reason = [
            `${hresultName(hr)} (${formatHresult(hr)})${why ? `: ${why}` : ""}`,
            ...eventsAddingTo(why, events).map(formatEvent),
        ].join(" ");
        super(`${subject} failed: ${reason}`);
        this.reason = reason;
        this.operation = context.operation;
        this.computeSystemId = context.id;
        this.hresult = hr;
        this.hresultName = hresultName(hr);
        this.errorMessage = parsed.ErrorMessage;
        this.events = events;
        this.resultDocument = parsed.ErrorMessage === undefined && events.length === 0 ? resultDocument : undefined;
    }
}

function hresultOf(err: unknown): number | undefined {
    return err instanceof HcsError ? err.hresult : undefined;
}

function matches(err: unknown, ...codes: number[]): boolean {
    const hr = hresultOf(err);
    return hr !== undefined && codes.includes(hr);
}

/** The compute system does not exist (hcsshim `IsNotExist`, plus the computecore code). */
export function isNotFound(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_SYSTEM_NOT_FOUND, HRESULTS.ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND,
        HRESULTS.ERROR_NOT_FOUND, HRESULTS.HRESULT_ELEMENT_NOT_FOUND);
}

/** The compute system is already stopped (hcsshim `IsAlreadyStopped`, plus the computecore code). */
export function isAlreadyStopped(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_SYSTEM_ALREADY_STOPPED, HRESULTS.ERROR_VMCOMPUTE_SYSTEM_ALREADY_STOPPED,
        HRESULTS.HCS_E_PROCESS_ALREADY_STOPPED, HRESULTS.ERROR_NOT_FOUND, HRESULTS.HRESULT_ELEMENT_NOT_FOUND);
}

/** A compute system with that ID already exists (hcsshim `IsAlreadyExists` for systems). */
export function isAlreadyExists(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_SYSTEM_ALREADY_EXISTS);
}

/** The operation is not valid in the system's current state. */
export function isInvalidState(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_INVALID_STATE, HRESULTS.ERROR_VMCOMPUTE_OPERATION_INVALID_STATE);
}

/** The operation did not complete within its timeout (ours or HCS's). */
export function isTimeout(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_OPERATION_TIMEOUT, HRESULTS.HCS_E_CONNECTION_TIMEOUT);
}

/** The caller lacks the rights HCS needs (administrator / Hyper-V Administrators) or file access. */
export function isAccessDenied(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_ACCESS_DENIED, HRESULTS.E_ACCESSDENIED, HRESULTS.ERROR_ACCESS_DENIED);
}

/** The service went away (crashed, restarted or is not running). */
export function isServiceUnavailable(err: unknown): boolean {
    return matches(err, HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE, HRESULTS.HCS_E_SERVICE_DISCONNECT,
        HRESULTS.HCS_E_CONNECTION_CLOSED, HRESULTS.HCS_E_CONNECT_FAILED);
}
