/**
 * The few computecore functions the simulator tests call, declared here with koffi (the project's
 * binding is separate), plus small helpers that drive them against a running simulator.
 *
 * koffi keeps declared type names for the whole process and jest may load this module once per test
 * file in the same process, so named types are looked up before they are declared.
 */
import koffi from "koffi";
import { simulatorLibraryPath } from "../../../provider/sim/service/launch";

type Ptr = bigint | null;
type Out = [Ptr];

export const HR = {
    S_OK: 0,
    E_ACCESSDENIED: 0x80070005 | 0,
    E_HANDLE: 0x80070006 | 0,
    E_INVALIDARG: 0x80070057 | 0,
    FILE_NOT_FOUND: 0x80070002 | 0,
    PATH_NOT_FOUND: 0x80070003 | 0,
    SHARING_VIOLATION: 0x80070020 | 0,
    NOT_SUPPORTED: 0x80070032 | 0,
    NOT_FOUND: 0x80070490 | 0,
    ALREADY_EXISTS: 0x800700b7 | 0,
    DIRECTORY: 0x8007010b | 0,
    HCS_E_INVALID_STATE: 0x80370105 | 0,
    HCS_E_UNEXPECTED_EXIT: 0x80370106 | 0,
    HCS_E_INVALID_JSON: 0x8037010d | 0,
    HCS_E_SYSTEM_NOT_FOUND: 0x8037010e | 0,
    HCS_E_SYSTEM_ALREADY_EXISTS: 0x8037010f | 0,
    HCS_E_SYSTEM_ALREADY_STOPPED: 0x80370110 | 0,
    HCS_E_SERVICE_NOT_AVAILABLE: 0x80370114 | 0,
    HCS_E_OPERATION_NOT_STARTED: 0x80370115 | 0,
    HCS_E_OPERATION_ALREADY_STARTED: 0x80370116 | 0,
    HCS_E_OPERATION_TIMEOUT: 0x80370118 | 0,
    HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET: 0x80370119 | 0,
    HCS_E_ACCESS_DENIED: 0x8037011b | 0,
    HCS_E_SERVICE_DISCONNECT: 0x8037011e | 0,
} as const;

export const GENERIC_ALL = 0x10000000;
export const INFINITE = 0xffffffff;
export const EVENT_SYSTEM_EXITED = 1;
export const EVENT_OPERATION_CALLBACK = 0x01000000;
export const EVENT_SERVICE_DISCONNECT = 0x02000000;

export const hex = (hr: number): string => `0x${(hr >>> 0).toString(16).padStart(8, "0")}`;

function named<T>(name: string, make: () => T): T {
    try {
        return koffi.type(name) as unknown as T;
    } catch {
        return make();
    }
}

export const COMPLETION = named("SimTestCompletion", () => koffi.proto("void SimTestCompletion(void *operation, void *context)"));
export const EVENT_CALLBACK = named("SimTestEventCallback", () => koffi.proto("void SimTestEventCallback(void *event, void *context)"));
export const HCS_EVENT = named("SimTestHcsEvent", () =>
    koffi.struct("SimTestHcsEvent", { Type: "int32_t", EventData: "void *", Operation: "void *" }),
);

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface HcsLib {
    readonly path: string;
    HcsCreateOperation(context: Ptr | number, callback: Ptr): bigint;
    HcsCloseOperation(op: Ptr): void;
    HcsWaitForOperationResult(op: Ptr, timeoutMs: number, doc: Out | null): number;
    HcsEnumerateComputeSystems(query: string | null, op: Ptr): number;
    HcsCreateComputeSystem(id: string | null, config: string | null, op: Ptr, sd: null, sys: Out | null): number;
    HcsOpenComputeSystem(id: string | null, access: number, sys: Out | null): number;
    HcsCloseComputeSystem(sys: Ptr): void;
    HcsStartComputeSystem(sys: Ptr, op: Ptr, options: string | null): number;
    HcsShutDownComputeSystem(sys: Ptr, op: Ptr, options: string | null): number;
    HcsTerminateComputeSystem(sys: Ptr, op: Ptr, options: string | null): number;
    HcsPauseComputeSystem(sys: Ptr, op: Ptr, options: string | null): number;
    HcsResumeComputeSystem(sys: Ptr, op: Ptr, options: string | null): number;
    HcsGetComputeSystemProperties(sys: Ptr, op: Ptr, query: string | null): number;
    HcsModifyComputeSystem(sys: Ptr, op: Ptr, config: string | null, identity: null): number;
    HcsSetComputeSystemCallback(sys: Ptr, options: number, context: Ptr | number, callback: Ptr): number;
    HcsGetServiceProperties(query: string | null, result: Out | null): number;
    HcsGrantVmAccess(vmId: string | null, path: string | null): number;
    HcsRevokeVmAccess(vmId: string | null, path: string | null): number;
    HcsGrantVmGroupAccess(path: string | null): number;
    HcsRevokeVmGroupAccess(path: string | null): number;
    HcsSimGetLibraryStats(result: Out): number;
    HcsSimResetConnection(): void;
    HcsSimSetServiceAddress(address: string | null, secret: string | null): number;
    LocalFree(p: Ptr): Ptr;
    /** The `.async` form of each function. */
    readonly async: Record<string, (...args: any[]) => void>;
}

let loaded: HcsLib | undefined;

/** Loads the simulator library once per process (koffi keeps it loaded anyway). */
export function hcsLib(): HcsLib {
    if (loaded) return loaded;
    const path = simulatorLibraryPath();
    const lib = koffi.load(path);
    const decls: Record<string, string> = {
        HcsCreateOperation: "void *HcsCreateOperation(void *context, void *callback)",
        HcsCloseOperation: "void HcsCloseOperation(void *operation)",
        HcsWaitForOperationResult: "int32_t HcsWaitForOperationResult(void *operation, uint32_t timeoutMs, _Out_ void **resultDocument)",
        HcsEnumerateComputeSystems: "int32_t HcsEnumerateComputeSystems(const char16_t *query, void *operation)",
        HcsCreateComputeSystem: "int32_t HcsCreateComputeSystem(const char16_t *id, const char16_t *configuration, void *operation, void *sd, _Out_ void **computeSystem)",
        HcsOpenComputeSystem: "int32_t HcsOpenComputeSystem(const char16_t *id, uint32_t requestedAccess, _Out_ void **computeSystem)",
        HcsCloseComputeSystem: "void HcsCloseComputeSystem(void *computeSystem)",
        HcsStartComputeSystem: "int32_t HcsStartComputeSystem(void *computeSystem, void *operation, const char16_t *options)",
        HcsShutDownComputeSystem: "int32_t HcsShutDownComputeSystem(void *computeSystem, void *operation, const char16_t *options)",
        HcsTerminateComputeSystem: "int32_t HcsTerminateComputeSystem(void *computeSystem, void *operation, const char16_t *options)",
        HcsPauseComputeSystem: "int32_t HcsPauseComputeSystem(void *computeSystem, void *operation, const char16_t *options)",
        HcsResumeComputeSystem: "int32_t HcsResumeComputeSystem(void *computeSystem, void *operation, const char16_t *options)",
        HcsGetComputeSystemProperties: "int32_t HcsGetComputeSystemProperties(void *computeSystem, void *operation, const char16_t *propertyQuery)",
        HcsModifyComputeSystem: "int32_t HcsModifyComputeSystem(void *computeSystem, void *operation, const char16_t *configuration, void *identity)",
        HcsSetComputeSystemCallback: "int32_t HcsSetComputeSystemCallback(void *computeSystem, int32_t callbackOptions, void *context, void *callback)",
        HcsGetServiceProperties: "int32_t HcsGetServiceProperties(const char16_t *propertyQuery, _Out_ void **result)",
        HcsGrantVmAccess: "int32_t HcsGrantVmAccess(const char16_t *vmId, const char16_t *filePath)",
        HcsRevokeVmAccess: "int32_t HcsRevokeVmAccess(const char16_t *vmId, const char16_t *filePath)",
        HcsGrantVmGroupAccess: "int32_t HcsGrantVmGroupAccess(const char16_t *filePath)",
        HcsRevokeVmGroupAccess: "int32_t HcsRevokeVmGroupAccess(const char16_t *filePath)",
        HcsSimGetLibraryStats: "int32_t HcsSimGetLibraryStats(_Out_ void **result)",
        HcsSimResetConnection: "void HcsSimResetConnection()",
        HcsSimSetServiceAddress: "int32_t HcsSimSetServiceAddress(const char16_t *address, const char16_t *secret)",
        LocalFree: "void *LocalFree(void *mem)",
    };
    const out: Record<string, any> = { path, async: {} };
    for (const [name, decl] of Object.entries(decls)) {
        const f = lib.func(decl);
        out[name] = f;
        out.async[name] = f.async.bind(f);
    }
    loaded = out as HcsLib;
    return loaded;
}

/** Decodes a library-allocated UTF-16 string and frees it with the library's LocalFree. */
export function takeString(p: Ptr): string | undefined {
    if (p === null || p === 0n) return undefined;
    try {
        return koffi.decode(p, "char16_t", -1) as string;
    } finally {
        hcsLib().LocalFree(p);
    }
}

export interface LibraryStats {
    liveStrings: number;
    liveOperations: number;
    liveSystemHandles: number;
    connected: boolean;
    pid: number;
    allocatedOperations: number;
    allocatedSystemHandles: number;
    inFlightOperations: number;
    pendingSyncCalls: number;
    queuedCallbacks: number;
    callbacksInvoked: number;
    generation: number;
    callerThreadId: number;
    dispatcherThreadId: number;
    readerThreadId: number;
    lastCallbackThreadId: number;
    lastError: string;
}

export function libraryStats(): LibraryStats {
    const out: Out = [null];
    const hr = hcsLib().HcsSimGetLibraryStats(out);
    if (hr !== 0) throw new Error(`HcsSimGetLibraryStats failed: ${hex(hr)}`);
    return JSON.parse(takeString(out[0])!) as LibraryStats;
}

export interface Result {
    readonly hr: number;
    readonly doc: string | undefined;
}

/** A parsed ResultError, when the document is one. */
export function errorOf(r: Result): { Error: number; ErrorMessage: string; ErrorEvents?: { Message: string; Provider?: string; EventId?: number; Source?: string }[] } {
    if (r.doc === undefined) throw new Error(`expected an error document with ${hex(r.hr)}, got none`);
    return JSON.parse(r.doc);
}

/** Runs one asynchronous call on a fresh operation and waits (synchronously) for its result. */
export function runOp(start: (op: bigint) => number, timeoutMs = 15000): Result {
    const lib = hcsLib();
    const op = lib.HcsCreateOperation(null, null);
    try {
        const hr = start(op);
        if (hr !== 0) return { hr, doc: undefined };
        const out: Out = [null];
        const result = lib.HcsWaitForOperationResult(op, timeoutMs, out);
        return { hr: result, doc: takeString(out[0]) };
    } finally {
        lib.HcsCloseOperation(op);
    }
}

/** Like runOp, but waits through `.async` so the event loop stays free. */
export function runOpAsync(start: (op: bigint) => number, timeoutMs = 15000): Promise<Result> {
    const lib = hcsLib();
    const op = lib.HcsCreateOperation(null, null);
    const hr = start(op);
    if (hr !== 0) {
        lib.HcsCloseOperation(op);
        return Promise.resolve({ hr, doc: undefined });
    }
    return new Promise<Result>((resolve, reject) => {
        const out: Out = [null];
        lib.async.HcsWaitForOperationResult!(op, timeoutMs, out, (err: unknown, result: number) => {
            lib.HcsCloseOperation(op);
            if (err) reject(err);
            else resolve({ hr: result, doc: takeString(out[0]) });
        });
    });
}

/** A compute-system handle plus the create's result. */
export interface Created extends Result {
    readonly sys: bigint | null;
}

export function createSystem(id: string, config: string | object): Created {
    const lib = hcsLib();
    const sys: Out = [null];
    const r = runOp((op) => lib.HcsCreateComputeSystem(id, typeof config === "string" ? config : JSON.stringify(config), op, null, sys));
    return { ...r, sys: sys[0] };
}

export function openSystem(id: string): { hr: number; sys: bigint | null } {
    const sys: Out = [null];
    const hr = hcsLib().HcsOpenComputeSystem(id, GENERIC_ALL, sys);
    return { hr, sys: sys[0] };
}

/** Closes a handle through `.async` (closing waits for a running event callback; never do that on the JS thread). */
export function closeSystem(sys: bigint | null): Promise<void> {
    return new Promise<void>((resolve, reject) =>
        hcsLib().async.HcsCloseComputeSystem!(sys, (err: unknown) => (err ? reject(err) : resolve())),
    );
}

type SystemCall = "HcsStartComputeSystem" | "HcsShutDownComputeSystem" | "HcsTerminateComputeSystem" | "HcsPauseComputeSystem" | "HcsResumeComputeSystem";

export function systemCall(fn: SystemCall, sys: bigint | null, options: string | null = null): Result {
    return runOp((op) => hcsLib()[fn](sys, op, options));
}

export const start = (sys: bigint | null) => systemCall("HcsStartComputeSystem", sys);
export const shutDown = (sys: bigint | null) => systemCall("HcsShutDownComputeSystem", sys);
export const terminate = (sys: bigint | null) => systemCall("HcsTerminateComputeSystem", sys);
export const pause = (sys: bigint | null) => systemCall("HcsPauseComputeSystem", sys);
export const resume = (sys: bigint | null) => systemCall("HcsResumeComputeSystem", sys);

export function properties(sys: bigint | null, query: string | object | null = null): Result {
    const q = query === null || typeof query === "string" ? query : JSON.stringify(query);
    return runOp((op) => hcsLib().HcsGetComputeSystemProperties(sys, op, q));
}

/** Properties as an object. @throws when the call fails. */
export function props(sys: bigint | null, types: string[] = []): Record<string, any> {
    const r = properties(sys, types.length > 0 ? { PropertyTypes: types } : null);
    if (r.hr !== 0) throw new Error(`HcsGetComputeSystemProperties failed: ${hex(r.hr)} ${r.doc ?? ""}`);
    return JSON.parse(r.doc!);
}

export function modify(sys: bigint | null, request: string | object): Result {
    return runOp((op) => hcsLib().HcsModifyComputeSystem(sys, op, typeof request === "string" ? request : JSON.stringify(request), null));
}

export function enumerate(query: string | object | null = null): Result {
    const q = query === null || typeof query === "string" ? query : JSON.stringify(query);
    return runOp((op) => hcsLib().HcsEnumerateComputeSystems(q, op));
}

export function serviceProperties(query: string | object | null): Result {
    const out: Out = [null];
    const q = query === null || typeof query === "string" ? query : JSON.stringify(query);
    const hr = hcsLib().HcsGetServiceProperties(q, out);
    return { hr, doc: takeString(out[0]) };
}
