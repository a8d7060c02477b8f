import koffi, { type TypeObject } from "koffi";

/**
 * The Windows type names that appear in `prototypes.ts`, registered with koffi as ABI-stable types
 * (reference: koffi-grpc-pino §1.3). Windows is LLP64 and Linux LP64, so `long`, `wchar_t` and
 * `bool` never appear: HRESULT is int32_t, DWORD uint32_t, strings are UTF-16 `char16_t`, handles
 * are opaque pointers. The conformance test asserts these sizes against mingw-w64's headers.
 */
export const SCALAR_ALIASES = {
    HRESULT: "int32_t",
    DWORD: "uint32_t",
    HCS_EVENT_OPTIONS: "int32_t",
    HCS_EVENT_TYPE: "int32_t",
} as const;

/** Handle types: opaque, pointer-sized, never dereferenced on our side. */
export const HANDLE_TYPES = ["HCS_OPERATION", "HCS_SYSTEM", "HANDLE", "HLOCAL"] as const;

/**
 * Registers the type names and returns the types callers need by object. `freeString` releases a
 * callee-allocated PWSTR (LocalFree); koffi calls it right after copying the string into JS, every
 * time, so no result string can leak.
 *
 * koffi's type names live in the native addon, once per process, while module instances can be
 * many (jest loads modules afresh per test file in one worker), so an already registered name is
 * reused rather than registered twice.
 */
export function registerAbiTypes(freeString: (pointer: unknown) => void): AbiTypes {
    for (const [name, type] of Object.entries(SCALAR_ALIASES)) once(name, () => koffi.alias(name, type));
    for (const name of HANDLE_TYPES) once(name, () => koffi.pointer(name, koffi.opaque()));
    once("SECURITY_DESCRIPTOR", () => koffi.opaque("SECURITY_DESCRIPTOR"));
    once("PCWSTR", () => koffi.alias("PCWSTR", "const char16_t *"));
    const PWSTR = once("PWSTR", () => koffi.disposable("PWSTR", "char16_t *", freeString));
    const HCS_OPERATION_COMPLETION = once("HCS_OPERATION_COMPLETION", () => koffi.pointer("HCS_OPERATION_COMPLETION",
        koffi.proto("void __stdcall HCS_OPERATION_COMPLETION_FN(HCS_OPERATION operation, void *context)")));
    const HCS_EVENT = once("HCS_EVENT", () => koffi.struct("HCS_EVENT", {
        Type: "HCS_EVENT_TYPE",
        EventData: "const char16_t *",
        Operation: "HCS_OPERATION",
    }));
    const HCS_EVENT_CALLBACK = once("HCS_EVENT_CALLBACK", () => koffi.pointer("HCS_EVENT_CALLBACK",
        koffi.proto("void __stdcall HCS_EVENT_CALLBACK_FN(HCS_EVENT *event, void *context)")));
    return { PWSTR, HCS_OPERATION_COMPLETION, HCS_EVENT, HCS_EVENT_CALLBACK };
}

function once(name: string, create: () => TypeObject): TypeObject {
    try {
        return koffi.type(name);
    } catch {
        return create();
    }
}

export interface AbiTypes {
    readonly PWSTR: TypeObject;
    readonly HCS_OPERATION_COMPLETION: TypeObject;
    readonly HCS_EVENT: TypeObject;
    readonly HCS_EVENT_CALLBACK: TypeObject;
}

/** Turns a header-style prototype into koffi's syntax: WINAPI is `__stdcall` (ignored on x64). */
export function toKoffiPrototype(prototype: string): string {
    return prototype.replace(/\bWINAPI\b/g, "__stdcall");
}
