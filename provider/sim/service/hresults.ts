/**
 * The HRESULTs the simulator returns, with the values from Microsoft's HCSHResult.md and winerror.h,
 * and the ResultError documents that carry them.
 */

/** HRESULT values as signed 32-bit integers (what crosses the wire and what koffi returns). */
export const HR = {
    S_OK: 0,
    E_ACCESSDENIED: 0x80070005 | 0,
    E_HANDLE: 0x80070006 | 0,
    E_INVALIDARG: 0x80070057 | 0,
    E_NOTIMPL: 0x80004001 | 0,
    E_FAIL: 0x80004005 | 0,
    FILE_NOT_FOUND: 0x80070002 | 0, // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
    PATH_NOT_FOUND: 0x80070003 | 0, // HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)
    SHARING_VIOLATION: 0x80070020 | 0, // HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION)
    NOT_SUPPORTED: 0x80070032 | 0, // HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)
    DIRECTORY: 0x8007010b | 0, // HRESULT_FROM_WIN32(ERROR_DIRECTORY): the directory name is invalid
    ALREADY_EXISTS: 0x800700b7 | 0, // HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
    NOT_FOUND: 0x80070490 | 0, // HRESULT_FROM_WIN32(ERROR_NOT_FOUND)
    HCS_E_TERMINATED_DURING_START: 0x80370100 | 0,
    HCS_E_INVALID_STATE: 0x80370105 | 0,
    HCS_E_UNEXPECTED_EXIT: 0x80370106 | 0,
    HCS_E_TERMINATED: 0x80370107 | 0,
    HCS_E_UNSUPPORTED_PROTOCOL_VERSION: 0x8037010c | 0,
    HCS_E_INVALID_JSON: 0x8037010d | 0,
    HCS_E_SYSTEM_NOT_FOUND: 0x8037010e | 0,
    HCS_E_SYSTEM_ALREADY_EXISTS: 0x8037010f | 0,
    HCS_E_SYSTEM_ALREADY_STOPPED: 0x80370110 | 0,
    HCS_E_SERVICE_NOT_AVAILABLE: 0x80370114 | 0,
    HCS_E_OPERATION_NOT_STARTED: 0x80370115 | 0,
    HCS_E_OPERATION_ALREADY_STARTED: 0x80370116 | 0,
    HCS_E_OPERATION_PENDING: 0x80370117 | 0,
    HCS_E_OPERATION_TIMEOUT: 0x80370118 | 0,
    HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET: 0x80370119 | 0,
    HCS_E_ACCESS_DENIED: 0x8037011b | 0,
    HCS_E_SERVICE_DISCONNECT: 0x8037011e | 0,
} as const;

/** The documented meaning of each HRESULT, for error messages. */
const MEANINGS: ReadonlyMap<number, string> = new Map([
    [HR.E_ACCESSDENIED, "Access is denied."],
    [HR.E_HANDLE, "The handle is invalid."],
    [HR.E_INVALIDARG, "The parameter is incorrect."],
    [HR.E_NOTIMPL, "Not implemented."],
    [HR.E_FAIL, "Unspecified error."],
    [HR.FILE_NOT_FOUND, "The system cannot find the file specified."],
    [HR.PATH_NOT_FOUND, "The system cannot find the path specified."],
    [HR.SHARING_VIOLATION, "The process cannot access the file because it is being used by another process."],
    [HR.NOT_SUPPORTED, "The request is not supported."],
    [HR.DIRECTORY, "The directory name is invalid."],
    [HR.ALREADY_EXISTS, "Cannot create a file when that file already exists."],
    [HR.NOT_FOUND, "Element not found."],
    [HR.HCS_E_TERMINATED_DURING_START, "The virtual machine or container exited unexpectedly while starting."],
    [HR.HCS_E_INVALID_STATE, "The requested virtual machine or container operation is not valid in the current state."],
    [HR.HCS_E_UNEXPECTED_EXIT, "The virtual machine or container exited unexpectedly."],
    [HR.HCS_E_TERMINATED, "The virtual machine or container was forcefully exited."],
    [HR.HCS_E_UNSUPPORTED_PROTOCOL_VERSION, "The protocol version is not supported."],
    [HR.HCS_E_INVALID_JSON, "The JSON document is invalid."],
    [HR.HCS_E_SYSTEM_NOT_FOUND, "A virtual machine or container with the specified identifier does not exist."],
    [HR.HCS_E_SYSTEM_ALREADY_EXISTS, "A virtual machine or container with the specified identifier already exists."],
    [HR.HCS_E_SYSTEM_ALREADY_STOPPED, "The virtual machine or container with the specified identifier is not running."],
    [HR.HCS_E_SERVICE_NOT_AVAILABLE, "The compute service is not available."],
    [HR.HCS_E_OPERATION_NOT_STARTED, "The operation has not started."],
    [HR.HCS_E_OPERATION_ALREADY_STARTED, "The operation is already running."],
    [HR.HCS_E_OPERATION_PENDING, "The operation is still running."],
    [HR.HCS_E_OPERATION_TIMEOUT, "The operation did not complete in time."],
    [HR.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET, "An event callback is already registered on this handle."],
    [HR.HCS_E_ACCESS_DENIED, "The requested operation failed: access is denied."],
    [HR.HCS_E_SERVICE_DISCONNECT, "The compute service disconnected unexpectedly."],
]);

/** `0x8037010D` for any HRESULT (signed or not). */
export function hrHex(hr: number): string {
    return `0x${(hr >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

/** The documented meaning of an HRESULT, or its hex form. */
export function hrMeaning(hr: number): string {
    return knownMeaning(hr) ?? `HRESULT ${hrHex(hr)}`;
}

/** The documented meaning of an HRESULT, when the simulator knows one. */
export function knownMeaning(hr: number): string | undefined {
    return MEANINGS.get(hr | 0);
}

/**
 * Parses `0x80370118`, `-2143878888` or `2151088408` into a signed HRESULT.
 * @throws {RangeError} when the text is not a 32-bit value.
 */
export function parseHresult(text: string): number {
    const trimmed = text.trim();
    const value = /^0x[0-9a-f]{1,8}$/i.test(trimmed) ? parseInt(trimmed, 16) : /^-?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
        throw new RangeError(`Cannot read HRESULT '${text}': expected a 32-bit value such as 0x80370118`);
    }
    return value | 0;
}

/** An event inside a ResultError document (the fields hcsshim prints). */
export interface ErrorEvent {
    readonly Message: string;
    readonly Provider?: string;
    readonly EventId?: number;
    readonly Source?: string;
}

/** The provider GUID on the simulator's events: its own, so nobody mistakes them for Windows events. */
export const SIM_EVENT_PROVIDER = "6b0d8b1e-2f5a-4f0e-9c7e-5c1d3a8e9b40";
export const SIM_EVENT_SOURCE = "pulumi-hcs-sim";

/** Event ids the simulator uses, one per kind of failure. */
export const EVENT_IDS = {
    invalidJson: 1001,
    fileMissing: 1002,
    accessDenied: 1003,
    invalidState: 1004,
    notSupported: 1005,
    invalidArgument: 1006,
    notFound: 1007,
    alreadyExists: 1008,
    sharingViolation: 1009,
    injected: 1900,
} as const;

/** A failed call: its HRESULT and the ResultError document to return with it. */
export class HcsFailure extends Error {
    readonly hr: number;
    readonly events: readonly ErrorEvent[];

    constructor(hr: number, message: string, events?: readonly (string | ErrorEvent)[], eventId?: number) {
        super(message);
        this.name = "HcsFailure";
        this.hr = hr | 0;
        const id = eventId ?? EVENT_IDS.invalidArgument;
        this.events = (events && events.length > 0 ? events : [message]).map((e) =>
            typeof e === "string" ? { Message: e, Provider: SIM_EVENT_PROVIDER, EventId: id, Source: SIM_EVENT_SOURCE } : e,
        );
    }

    /** The ResultError JSON: `{"Error":hr,"ErrorMessage":...,"ErrorEvents":[...]}`. */
    document(): string {
        return resultErrorDocument(this.hr, this.message, this.events);
    }
}

export function resultErrorDocument(hr: number, message: string, events: readonly ErrorEvent[]): string {
    return JSON.stringify({ Error: hr | 0, ErrorMessage: message, ErrorEvents: events });
}
