import { log } from "../log/logger";
import { bindComputeCore, type ComputeCore, type Handle, type Out } from "./computecore";
import { HcsError, type HcsErrorContext, isTimeout } from "./hcs-error";
import { HRESULTS, failed } from "./hresult";
import { OperationRunner, type OperationTimeout } from "./operation";
import type { SystemProperties, SystemPropertyType, SystemQuery } from "./properties";
import { defaultTimeoutMs, timeoutEnvVar, type TimeoutName } from "./timeouts";

/** The least time a close gets, whatever is left of the caller's budget. */
const CLOSE_FLOOR_MS = 2000;

/** `GENERIC_ALL`: the only access HcsOpenComputeSystem accepts. */
const GENERIC_ALL = 0x10000000;

export interface CallOptions {
    /** Overrides the named default timeout for this call, in milliseconds. */
    readonly timeoutMs?: number;
}

/**
 * The HCS client of this process: computecore bound once, one operation runner, and the calls that
 * are not about one open system (create, open, enumerate, service properties, file access).
 */
export class HcsClient {
    readonly runner: OperationRunner;

    constructor(readonly hcs: ComputeCore) {
        this.runner = new OperationRunner(hcs);
    }

    /**
     * HcsCreateComputeSystem with `document` (the JSON the HCS schema describes). The returned
     * system owns its handle: close it.
     * @throws HcsError (e.g. HCS_E_SYSTEM_ALREADY_EXISTS, HCS_E_INVALID_JSON); no handle is left open.
     */
    async createComputeSystem(id: string, document: string, options: CallOptions = {}): Promise<ComputeSystem> {
        const handle: Out<Handle> = [null];
        const context = { operation: "HcsCreateComputeSystem", id };
        try {
            await this.run(context, "create", options, (op) => this.hcs.HcsCreateComputeSystem(id, document, op, null, handle));
        } catch (err) {
            // computecore hands out the handle before the create completes; a failed create still owns one.
            // Its close can block while the unanswered create is pending on it, so it gets the close
            // floor when the caller had a budget, and giving up on it never hides the create's error.
            if (handle[0] !== null) {
                const closeOptions = options.timeoutMs === undefined ? {} : { timeoutMs: CLOSE_FLOOR_MS };
                await closeHandle(this.hcs, handle[0], { operation: "HcsCloseComputeSystem", id }, closeOptions).catch((closeErr: unknown) => {
                    log.warn({ id, err: (closeErr as Error).message }, "gave up closing the handle of a failed create");
                });
            }
            throw err;
        }
        if (handle[0] === null) throw new HcsError(context, HRESULTS.E_POINTER, undefined, "HCS returned no handle");
        return new ComputeSystem(this, id, handle[0]);
    }

    /**
     * HcsOpenComputeSystem. Runs on the thread pool: it is synchronous in computecore.
     * @throws HcsError HCS_E_SYSTEM_NOT_FOUND (see `isNotFound`) when no such system exists.
     */
    async openComputeSystem(id: string, options: CallOptions = {}): Promise<ComputeSystem> {
        const handle: Out<Handle> = [null];
        const context = { operation: "HcsOpenComputeSystem", id };
        // A handle that arrives after we gave up is closed, not leaked.
        const hr = await callAsync(context, options, (hr: number) => {
            if (!failed(hr) && handle[0] !== null) void closeHandle(this.hcs, handle[0]).catch(() => undefined);
        }, this.hcs.HcsOpenComputeSystem, id, GENERIC_ALL, handle);
        if (failed(hr)) throw new HcsError(context, hr);
        if (handle[0] === null) throw new HcsError({ operation: "HcsOpenComputeSystem", id }, HRESULTS.E_POINTER, undefined, "HCS returned no handle");
        return new ComputeSystem(this, id, handle[0]);
    }

    /** HcsEnumerateComputeSystems: the basic properties of every system matching `query`. */
    async enumerateComputeSystems(query: SystemQuery = {}, options: CallOptions = {}): Promise<SystemProperties[]> {
        const context = { operation: "HcsEnumerateComputeSystems" };
        const document = await this.run(context, "enumerate", options,
            (op) => this.hcs.HcsEnumerateComputeSystems(JSON.stringify(query), op));
        const parsed = parseDocument(context, document);
        if (!Array.isArray(parsed)) throw new HcsError(context, HRESULTS.E_UNEXPECTED, document, "unexpected value returned from hcs: not an array");
        return parsed as SystemProperties[];
    }

    /**
     * HcsGetServiceProperties for `types`: one element per requested type, in order.
     * @throws HcsError when HCS fails or answers with the wrong number of elements.
     */
    async serviceProperties(types: readonly string[], options: CallOptions = {}): Promise<unknown[]> {
        const context = { operation: "HcsGetServiceProperties" };
        const result: Out<string> = [null];
        const hr = await callAsync(context, options, undefined, this.hcs.HcsGetServiceProperties, JSON.stringify({ PropertyTypes: types }), result);
        if (failed(hr)) throw new HcsError(context, hr, result[0] ?? undefined);
        const parsed = parseDocument(context, result[0] ?? undefined) as { Properties?: unknown };
        if (!Array.isArray(parsed.Properties) || parsed.Properties.length !== types.length) {
            throw new HcsError(context, HRESULTS.E_UNEXPECTED, result[0] ?? undefined,
                `wrong number of service properties present (asked for ${types.length})`);
        }
        return parsed.Properties;
    }

    /** HcsGrantVmAccess: lets the VM worker of compute system `vmId` open `filePath`. */
    grantVmAccess(vmId: string, filePath: string, options: CallOptions = {}): Promise<void> {
        return this.fileAccess({ operation: "HcsGrantVmAccess", id: vmId }, options, (context) => callAsync(context, options, undefined, this.hcs.HcsGrantVmAccess, vmId, filePath));
    }

    /** HcsRevokeVmAccess: removes what grantVmAccess added. */
    revokeVmAccess(vmId: string, filePath: string, options: CallOptions = {}): Promise<void> {
        return this.fileAccess({ operation: "HcsRevokeVmAccess", id: vmId }, options, (context) => callAsync(context, options, undefined, this.hcs.HcsRevokeVmAccess, vmId, filePath));
    }

    /** HcsGrantVmGroupAccess: grants the "Virtual Machines" group access to `filePath`. */
    grantVmGroupAccess(filePath: string, options: CallOptions = {}): Promise<void> {
        return this.fileAccess({ operation: "HcsGrantVmGroupAccess" }, options, (context) => callAsync(context, options, undefined, this.hcs.HcsGrantVmGroupAccess, filePath));
    }

    /** HcsRevokeVmGroupAccess: removes what grantVmGroupAccess added. */
    revokeVmGroupAccess(filePath: string, options: CallOptions = {}): Promise<void> {
        return this.fileAccess({ operation: "HcsRevokeVmGroupAccess" }, options, (context) => callAsync(context, options, undefined, this.hcs.HcsRevokeVmGroupAccess, filePath));
    }

    private async fileAccess(context: HcsErrorContext, _options: CallOptions, call: (context: HcsErrorContext) => Promise<number>): Promise<void> {
        const hr = await call(context);
        if (failed(hr)) throw new HcsError(context, hr);
    }

    /** Runs one operation with the named timeout (or the caller's), logging it at debug level. */
    async run(context: HcsErrorContext, timeoutName: TimeoutName, options: CallOptions, start: (op: Handle) => number): Promise<string | undefined> {
        const timeout = resolveTimeout(timeoutName, options);
        const started = performance.now();
        try {
            const document = await this.runner.run(context, timeout, start);
            if (log.isLevelEnabled("debug")) log.debug({ ...context, ms: Math.round(performance.now() - started) }, "hcs operation completed");
            return document;
        } catch (err) {
            if (log.isLevelEnabled("debug")) log.debug({ ...context, ms: Math.round(performance.now() - started), err: (err as Error).message }, "hcs operation failed");
            throw err;
        }
    }
}

/**
 * An open HCS_SYSTEM handle. Exactly one owner closes it (`close()` is idempotent); every method
 * after close fails with hcsshim's "the handle has already been closed".
 */
export class ComputeSystem {
    private handle: Handle | undefined;

    constructor(private readonly client: HcsClient, readonly id: string, handle: Handle) {
        this.handle = handle;
    }

    /** HcsStartComputeSystem: Created → Running. */
    async start(options: CallOptions = {}): Promise<void> {
        await this.operation("HcsStartComputeSystem", "start", options, (h, op) => this.hcs.HcsStartComputeSystem(h, op, null));
    }

    /** HcsShutDownComputeSystem: a graceful shutdown; completes once the system stopped. */
    async shutdown(options: CallOptions = {}): Promise<void> {
        await this.operation("HcsShutDownComputeSystem", "shutdown", options, (h, op) => this.hcs.HcsShutDownComputeSystem(h, op, null));
    }

    /** HcsTerminateComputeSystem: a forced stop. */
    async terminate(options: CallOptions = {}): Promise<void> {
        await this.operation("HcsTerminateComputeSystem", "terminate", options, (h, op) => this.hcs.HcsTerminateComputeSystem(h, op, null));
    }

    /** HcsPauseComputeSystem: Running → Paused. */
    async pause(options: CallOptions = {}): Promise<void> {
        await this.operation("HcsPauseComputeSystem", "pause", options, (h, op) => this.hcs.HcsPauseComputeSystem(h, op, null));
    }

    /** HcsResumeComputeSystem: Paused → Running. */
    async resume(options: CallOptions = {}): Promise<void> {
        await this.operation("HcsResumeComputeSystem", "resume", options, (h, op) => this.hcs.HcsResumeComputeSystem(h, op, null));
    }

    /** HcsGetComputeSystemProperties: basic properties, plus the named property types. */
    async properties(types: readonly SystemPropertyType[] = [], options: CallOptions = {}): Promise<SystemProperties> {
        const context = { operation: "HcsGetComputeSystemProperties", id: this.id };
        const query = types.length === 0 ? null : JSON.stringify({ PropertyTypes: types });
        const document = await this.operation(context.operation, "properties", options, (h, op) => this.hcs.HcsGetComputeSystemProperties(h, op, query));
        const parsed = parseDocument(context, document);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            throw new HcsError(context, HRESULTS.E_UNEXPECTED, document, "unexpected value returned from hcs: not an object");
        }
        return parsed as SystemProperties;
    }

    /** HcsModifyComputeSystem with a ModifySettingRequest (object or JSON text). */
    async modify(request: object | string, options: CallOptions = {}): Promise<void> {
        const configuration = typeof request === "string" ? request : JSON.stringify(request);
        await this.operation("HcsModifyComputeSystem", "modify", options, (h, op) => this.hcs.HcsModifyComputeSystem(h, op, configuration, null));
    }

    /**
     * Releases the handle (HcsCloseComputeSystem, on the thread pool: it may wait for callbacks),
     * within the `syscall` timeout: a close that hangs is given up on (the handle is forgotten).
     */
    async close(options: CallOptions = {}): Promise<void> {
        const handle = this.handle;
        if (handle === undefined) return;
        this.handle = undefined;
        // At least 2 s even when an action's budget is spent: closing is how HCS learns we are done.
        const timeoutMs = options.timeoutMs === undefined ? undefined : Math.max(CLOSE_FLOOR_MS, options.timeoutMs);
        try {
            await closeHandle(this.hcs, handle, { operation: "HcsCloseComputeSystem", id: this.id }, timeoutMs === undefined ? {} : { timeoutMs });
        } catch (err) {
            // A close that never returns must not turn a finished action into a failed one: the
            // handle is forgotten (the process exits soon and its handles go with it).
            if (!isTimeout(err)) throw err;
            log.warn({ id: this.id, err: (err as Error).message }, "gave up closing the compute system handle");
        }
    }

    get closed(): boolean {
        return this.handle === undefined;
    }

    private get hcs(): ComputeCore {
        return this.client.hcs;
    }

    private operation(operation: string, timeoutName: TimeoutName, options: CallOptions, call: (handle: Handle, op: Handle) => number): Promise<string | undefined> {
        const handle = this.handle;
        const context = { operation, id: this.id };
        if (handle === undefined) {
            return Promise.reject(new HcsError(context, HRESULTS.E_HANDLE, undefined, "hcsshim: the handle has already been closed"));
        }
        return this.client.run(context, timeoutName, options, (op) => call(handle, op));
    }
}

let client: HcsClient | undefined;

/**
 * The process-wide HCS client, binding computecore on first use.
 * @param preferredLibrary the library to bind instead of Windows' computecore.dll (the simulator's); see `bindComputeCore`.
 */
export function hcsClient(preferredLibrary?: string): HcsClient {
    const hcs = bindComputeCore(preferredLibrary);
    if (!client || client.hcs !== hcs) client = new HcsClient(hcs);
    return client;
}

function resolveTimeout(name: TimeoutName, options: CallOptions): OperationTimeout {
    if (options.timeoutMs !== undefined) return { ms: options.timeoutMs, source: `the caller's '${name}' timeout` };
    return { ms: defaultTimeoutMs(name), source: `the '${name}' timeout (raise it with ${timeoutEnvVar(name)}, in seconds)` };
}

function parseDocument(context: HcsErrorContext, document: string | undefined): unknown {
    if (document === undefined || document === "") {
        throw new HcsError(context, HRESULTS.E_UNEXPECTED, undefined, "unexpected value returned from hcs: no result document");
    }
    try {
        return JSON.parse(document);
    } catch {
        throw new HcsError(context, HRESULTS.E_UNEXPECTED, document, "unexpected value returned from hcs: the result document is not JSON");
    }
}

function closeHandle(hcs: ComputeCore, handle: Handle, context: HcsErrorContext = { operation: "HcsCloseComputeSystem" }, options: CallOptions = {}): Promise<void> {
    return callAsync(context, options, undefined, hcs.HcsCloseComputeSystem, handle);
}

/**
 * Calls a koffi function on the libuv pool, so synchronous computecore calls never block the loop,
 * and gives up on it after the `syscall` timeout (or the caller's): the pool thread stays blocked
 * until the host answers, but the caller goes on. `onLate` sees a result that arrives after that
 * (to close a handle nobody will use).
 * @throws HcsError HCS_E_OPERATION_TIMEOUT when the call did not return in time.
 */
function callAsync<A extends unknown[], R>(
    context: HcsErrorContext,
    options: CallOptions,
    onLate: ((result: R) => void) | undefined,
    fn: { async: (...args: [...A, (err: unknown, result: R) => void]) => void },
    ...args: A
): Promise<R> {
    const timeout = resolveTimeout("syscall", options);
    return new Promise((resolve, reject) => {
        let settled = false;
        const timer = setTimeout(() => {
            settled = true;
            reject(new HcsError(context, HRESULTS.HCS_E_OPERATION_TIMEOUT, undefined, `did not return within ${timeout.ms} ms, ${timeout.source}`));
        }, timeout.ms);
        fn.async(...args, (err: unknown, result: R) => {
            if (settled) {
                if (!err) onLate?.(result);
                return;
            }
            settled = true;
            clearTimeout(timer);
            if (err) reject(err instanceof Error ? err : new Error(String(err)));
            else resolve(result);
        });
    });
}
