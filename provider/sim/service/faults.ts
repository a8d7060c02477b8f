/**
 * Fault injection: make chosen computecore calls fail, slow down, hang, or kill the service, so
 * reliability tests can break every step. Faults live in memory only; a restarted service has none.
 */
import { FUNCTION_NAMES, fnByName, Fn } from "./protocol";
import { HcsFailure, EVENT_IDS, knownMeaning } from "./hresults";

export type Fault =
    | { readonly kind: "fail"; readonly fn: string; readonly hresult: number; readonly nth: number; readonly times: number; readonly base: number }
    | { readonly kind: "latency"; readonly fn: string; readonly ms: number }
    | { readonly kind: "hang"; readonly fn: string }
    | { readonly kind: "crash"; readonly fn: string };

/** Functions that never fail with an HRESULT of their own (they return void). */
const VOID_FUNCTIONS = new Set([FUNCTION_NAMES[Fn.Close]]);

/** Functions that run inside the library and never reach the service, so cannot be faulted here. */
const LOCAL_FUNCTIONS = new Set(["HcsCreateOperation", "HcsCloseOperation", "HcsWaitForOperationResult", "LocalFree"]);

/**
 * Checks a function name a fault may target.
 * @throws {RangeError} naming the function and why it cannot be faulted.
 */
export function checkFaultTarget(fn: string, kind: Fault["kind"]): void {
    if (LOCAL_FUNCTIONS.has(fn)) {
        throw new RangeError(`Cannot inject a fault into ${fn}: it runs inside the client library and never reaches the service`);
    }
    if (fnByName(fn) === undefined) {
        throw new RangeError(`Cannot inject a fault into '${fn}': not a computecore function the service handles (one of ${Object.values(FUNCTION_NAMES).join(", ")})`);
    }
    if (kind === "fail" && VOID_FUNCTIONS.has(fn)) {
        throw new RangeError(`Cannot make ${fn} fail: it returns void; use 'fault latency' or 'fault hang' instead`);
    }
    // Winsock's bind and closesocket answer at once on the caller's thread (the JS thread, for the
    // provider): held in the service, they would freeze the client's event loop, not time out.
    if ((kind === "hang" || kind === "latency") && fn.startsWith("HcsSimHv_")) {
        throw new RangeError(`Cannot ${kind === "hang" ? "hold" : "delay"} ${fn}: the simulated Winsock call is synchronous on the caller's thread, as Winsock's is; use 'fault fail' or 'fault crash --on' instead`);
    }
}

export class Faults {
    private faults: Fault[] = [];
    private readonly calls = new Map<string, number>();
    private hangWaiters: (() => void)[] = [];

    /** Counts a call; returns its 1-based index among calls of that function. */
    noteCall(fn: string): number {
        const n = (this.calls.get(fn) ?? 0) + 1;
        this.calls.set(fn, n);
        return n;
    }

    callCounts(): Record<string, number> {
        return Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
    }

    list(): Fault[] {
        return [...this.faults];
    }

    /** Makes the `nth` next call of `fn` (and the `times - 1` after it) fail with `hresult`. */
    addFail(fn: string, hresult: number, nth = 1, times = 1): Fault {
        checkFaultTarget(fn, "fail");
        if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`Cannot inject a failure: --nth must be a positive integer, got ${nth}`);
        if (!Number.isInteger(times) || times < 1) throw new RangeError(`Cannot inject a failure: --times must be a positive integer, got ${times}`);
        const fault: Fault = { kind: "fail", fn, hresult: hresult | 0, nth, times, base: this.calls.get(fn) ?? 0 };
        this.faults.push(fault);
        return fault;
    }

    /** Delays every call of `fn` by `ms` before it is handled. */
    addLatency(fn: string, ms: number): Fault {
        checkFaultTarget(fn, "latency");
        if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot add latency: milliseconds must be 0 or more, got ${ms}`);
        this.faults = this.faults.filter((f) => !(f.kind === "latency" && f.fn === fn));
        const fault: Fault = { kind: "latency", fn, ms };
        this.faults.push(fault);
        return fault;
    }

    /** Holds every call of `fn` until the fault is cleared; then it is handled normally. */
    addHang(fn: string): Fault {
        checkFaultTarget(fn, "hang");
        const fault: Fault = { kind: "hang", fn };
        this.faults.push(fault);
        return fault;
    }

    /** Kills the service when the next call of `fn` arrives (before it is handled or answered). */
    addCrash(fn: string): Fault {
        checkFaultTarget(fn, "crash");
        const fault: Fault = { kind: "crash", fn };
        this.faults.push(fault);
        return fault;
    }

    /** Removes every fault (or those for `fn`); held calls proceed. Returns how many were removed. */
    clear(fn?: string): number {
        const before = this.faults.length;
        this.faults = fn === undefined ? [] : this.faults.filter((f) => f.fn !== fn);
        const waiters = this.hangWaiters;
        this.hangWaiters = [];
        for (const wake of waiters) wake(); // each re-checks whether its function still hangs
        return before - this.faults.length;
    }

    crashesOn(fn: string): boolean {
        return this.faults.some((f) => f.kind === "crash" && f.fn === fn);
    }

    /** Waits out latency and hangs for a call of `fn`. */
    async delay(fn: string): Promise<void> {
        const latency = this.faults.find((f): f is Extract<Fault, { kind: "latency" }> => f.kind === "latency" && f.fn === fn);
        if (latency && latency.ms > 0) await new Promise((r) => setTimeout(r, latency.ms));
        while (this.faults.some((f) => f.kind === "hang" && f.fn === fn)) {
            await new Promise<void>((r) => this.hangWaiters.push(r));
        }
    }

    /** The injected failure for call number `index` of `fn`, if any. */
    failure(fn: string, index: number): HcsFailure | undefined {
        for (const f of this.faults) {
            if (f.kind !== "fail" || f.fn !== fn) continue;
            const n = index - f.base;
            if (n >= f.nth && n < f.nth + f.times) {
                // Like HCS's own ErrorMessage, this says what the code means, not which call failed
                // with which code: the client's error says that already (provider/src/hcs/hcs-error.ts).
                const injected = `injected by the HCS simulator: fault 'fail ${fn}', call ${n} of this fault's ${f.nth}..${f.nth + f.times - 1}`;
                const meaning = knownMeaning(f.hresult);
                const message = meaning === undefined ? injected : `${meaning} (${injected})`;
                if (n === f.nth + f.times - 1) this.faults = this.faults.filter((x) => x !== f);
                return new HcsFailure(f.hresult, message, undefined, EVENT_IDS.injected);
            }
        }
        return undefined;
    }
}
