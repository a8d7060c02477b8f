/**
 * HRESULT values the binding can meet, by name: every HCS_E_* code of the HCS reference
 * (`HCSHResult.md`), the legacy vmcompute `0xC037…` codes and the Win32 codes hcsshim checks
 * (`internal/hcs/errors.go`), plus the generic COM/Win32 codes computecore returns for bad arguments.
 * Values are unsigned 32-bit numbers; koffi hands HRESULTs back as signed int32, so normalize with
 * `toHresult` before looking them up.
 */
export const HRESULTS = {
    S_OK: 0x00000000,

    // HCS_E_* (computecore.dll), HCSHResult.md
    HCS_E_TERMINATED_DURING_START: 0x80370100,
    HCS_E_IMAGE_MISMATCH: 0x80370101,
    HCS_E_HYPERV_NOT_INSTALLED: 0x80370102,
    HCS_E_INVALID_STATE: 0x80370105,
    HCS_E_UNEXPECTED_EXIT: 0x80370106,
    HCS_E_TERMINATED: 0x80370107,
    HCS_E_CONNECT_FAILED: 0x80370108,
    HCS_E_CONNECTION_TIMEOUT: 0x80370109,
    HCS_E_CONNECTION_CLOSED: 0x8037010a,
    HCS_E_UNKNOWN_MESSAGE: 0x8037010b,
    HCS_E_UNSUPPORTED_PROTOCOL_VERSION: 0x8037010c,
    HCS_E_INVALID_JSON: 0x8037010d,
    HCS_E_SYSTEM_NOT_FOUND: 0x8037010e,
    HCS_E_SYSTEM_ALREADY_EXISTS: 0x8037010f,
    HCS_E_SYSTEM_ALREADY_STOPPED: 0x80370110,
    HCS_E_PROTOCOL_ERROR: 0x80370111,
    HCS_E_INVALID_LAYER: 0x80370112,
    HCS_E_WINDOWS_INSIDER_REQUIRED: 0x80370113,
    HCS_E_SERVICE_NOT_AVAILABLE: 0x80370114,
    HCS_E_OPERATION_NOT_STARTED: 0x80370115,
    HCS_E_OPERATION_ALREADY_STARTED: 0x80370116,
    HCS_E_OPERATION_PENDING: 0x80370117,
    HCS_E_OPERATION_TIMEOUT: 0x80370118,
    HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET: 0x80370119,
    HCS_E_OPERATION_RESULT_ALLOCATION_FAILED: 0x8037011a,
    HCS_E_ACCESS_DENIED: 0x8037011b,
    HCS_E_GUEST_CRITICAL_ERROR: 0x8037011c,
    HCS_E_PROCESS_INFO_NOT_AVAILABLE: 0x8037011d,
    HCS_E_SERVICE_DISCONNECT: 0x8037011e,
    HCS_E_PROCESS_ALREADY_STOPPED: 0x8037011f,

    // Legacy vmcompute.dll codes (same low word, 0xC037 on top) that hcsshim still compares against.
    ERROR_VMCOMPUTE_OPERATION_PENDING: 0xc0370103,
    ERROR_VMCOMPUTE_OPERATION_INVALID_STATE: 0xc0370105,
    ERROR_VMCOMPUTE_UNEXPECTED_EXIT: 0xc0370106,
    ERROR_VMCOMPUTE_UNKNOWN_MESSAGE: 0xc037010b,
    ERROR_VMCOMPUTE_INVALID_JSON: 0xc037010d,
    ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND: 0xc037010e,
    ERROR_VMCOMPUTE_SYSTEM_ALREADY_STOPPED: 0xc0370110,

    // Plain Win32 codes hcsshim checks (bare, not HRESULT_FROM_WIN32-wrapped).
    ERROR_ACCESS_DENIED: 0x00000005,
    ERROR_INVALID_HANDLE: 0x00000006,
    ERROR_INVALID_DATA: 0x0000000d,
    ERROR_NOT_SUPPORTED: 0x00000032,
    ERROR_PROC_NOT_FOUND: 0x0000007f,
    ERROR_NOT_FOUND: 0x00000490,

    // Generic HRESULTs computecore returns for bad calls, and HRESULT_FROM_WIN32 forms of the above.
    E_NOTIMPL: 0x80004001,
    E_POINTER: 0x80004003,
    E_FAIL: 0x80004005,
    E_UNEXPECTED: 0x8000ffff,
    E_OUTOFMEMORY: 0x8007000e,
    E_INVALIDARG: 0x80070057,
    E_HANDLE: 0x80070006,
    E_ACCESSDENIED: 0x80070005,
    HRESULT_FILE_NOT_FOUND: 0x80070002,
    HRESULT_PATH_NOT_FOUND: 0x80070003,
    HRESULT_INVALID_DATA: 0x8007000d,
    HRESULT_NOT_SUPPORTED: 0x80070032,
    HRESULT_PROC_NOT_FOUND: 0x8007007f,
    HRESULT_ELEMENT_NOT_FOUND: 0x80070490,
} as const satisfies Record<string, number>;

export type HresultName = keyof typeof HRESULTS;

/** What each HCS_E_* code means, from HCSHResult.md; used in error messages. */
const DESCRIPTIONS: Partial<Record<HresultName, string>> = {
    HCS_E_TERMINATED_DURING_START: "the VM or container exited unexpectedly while starting",
    HCS_E_IMAGE_MISMATCH: "the container OS does not match the host OS",
    HCS_E_HYPERV_NOT_INSTALLED: "a required feature (Hyper-V) is not installed",
    HCS_E_INVALID_STATE: "the operation is not valid in the compute system's current state",
    HCS_E_UNEXPECTED_EXIT: "the compute system exited unexpectedly",
    HCS_E_TERMINATED: "the compute system was forcefully terminated",
    HCS_E_CONNECT_FAILED: "a connection could not be established",
    HCS_E_CONNECTION_TIMEOUT: "no response was received in time",
    HCS_E_CONNECTION_CLOSED: "the connection was closed",
    HCS_E_UNKNOWN_MESSAGE: "an unknown internal message was received",
    HCS_E_UNSUPPORTED_PROTOCOL_VERSION: "the protocol version is not supported",
    HCS_E_INVALID_JSON: "the JSON document is invalid",
    HCS_E_SYSTEM_NOT_FOUND: "no compute system with that ID exists",
    HCS_E_SYSTEM_ALREADY_EXISTS: "a compute system with that ID already exists",
    HCS_E_SYSTEM_ALREADY_STOPPED: "the compute system is not running",
    HCS_E_PROTOCOL_ERROR: "a communication protocol error occurred",
    HCS_E_INVALID_LAYER: "the layer format is not recognized",
    HCS_E_WINDOWS_INSIDER_REQUIRED: "the Windows Insider program is required",
    HCS_E_SERVICE_NOT_AVAILABLE: "the compute service is not available",
    HCS_E_OPERATION_NOT_STARTED: "the operation has not started",
    HCS_E_OPERATION_ALREADY_STARTED: "the operation is already running",
    HCS_E_OPERATION_PENDING: "the operation is still running",
    HCS_E_OPERATION_TIMEOUT: "the operation did not complete in time",
    HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET: "an event callback is already registered on the handle",
    HCS_E_OPERATION_RESULT_ALLOCATION_FAILED: "there was not enough memory for the result",
    HCS_E_ACCESS_DENIED: "the caller must be an administrator or in Hyper-V Administrators",
    HCS_E_GUEST_CRITICAL_ERROR: "the guest reported a critical error",
    HCS_E_PROCESS_INFO_NOT_AVAILABLE: "process information is not available",
    HCS_E_SERVICE_DISCONNECT: "the compute service disconnected unexpectedly",
    HCS_E_PROCESS_ALREADY_STOPPED: "the process already exited",
    E_INVALIDARG: "an argument is invalid",
    E_HANDLE: "the handle is invalid",
    E_ACCESSDENIED: "access is denied",
    HRESULT_FILE_NOT_FOUND: "the system cannot find the file specified",
    HRESULT_PATH_NOT_FOUND: "the system cannot find the path specified",
    HRESULT_NOT_SUPPORTED: "the request is not supported",
};

const NAMES_BY_VALUE = new Map<number, HresultName>(
    (Object.entries(HRESULTS) as [HresultName, number][]).map(([name, value]) => [value, name]),
);

/** koffi returns HRESULT (int32_t) as a signed number; this is its unsigned 32-bit value. */
export function toHresult(value: number): number {
    return value >>> 0;
}

/** HRESULTs are failures when their sign bit is set (SUCCEEDED/FAILED in winerror.h). */
export function failed(hr: number): boolean {
    return (hr | 0) < 0;
}

/** `0x8037010E` style, always eight upper-case hex digits. */
export function formatHresult(hr: number): string {
    return `0x${toHresult(hr).toString(16).toUpperCase().padStart(8, "0")}`;
}

/** The symbolic name of an HRESULT, or `HRESULT_FROM_WIN32(n)` / `HRESULT` for codes we do not name. */
export function hresultName(hr: number): string {
    const value = toHresult(hr);
    const name = NAMES_BY_VALUE.get(value);
    if (name) return name;
    if (((value & 0xffff0000) >>> 0) === 0x80070000) return `HRESULT_FROM_WIN32(${value & 0xffff})`;
    return "HRESULT";
}

/** A short human description when we know one. */
export function hresultDescription(hr: number): string | undefined {
    const name = NAMES_BY_VALUE.get(toHresult(hr));
    return name ? DESCRIPTIONS[name] : undefined;
}
