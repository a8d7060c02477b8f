/**
 * The reconcile state machine (provider/src/gitops/reconcile-loop.ts) and its backoff, with fake
 * stack operations and a fake clock: no real waits. Each case scripts what the check and the
 * remediation return or throw, and asserts the status events (phase, reason, attempt, nextRunAt),
 * the waits between them and the outcome's exit code.
 */
import { backoffDelay } from "../../provider/src/gitops/backoff";
import type { Clock } from "../../provider/src/gitops/clock";
import { DRIFT_SCHEMA, type DriftSummary } from "../../provider/src/gitops/drift-summary";
import { exitCodeOf, reconcile, type ReconcileOptions, type StackOperations } from "../../provider/src/gitops/reconcile-loop";
import type { ReconcileStatus } from "../../provider/src/gitops/reconcile-status";

const T0 = Date.parse("2025-03-01T12:00:00.000Z");

/** A clock whose sleeps return at once, moving time on; it records every wait not cut short by a stop. */
function fakeClock(): Clock & { readonly waits: number[]; advance(ms: number): void } {
    let now = T0;
    const waits: number[] = [];
    return {
        waits,
        now: () => new Date(now),
        advance: (ms) => (now += ms),
        sleep: async (ms, signal) => {
            if (signal?.aborted) return;
            waits.push(ms);
            now += ms;
        },
    };
}

function summary(gone: string[] = []): DriftSummary {
    return {
        schema: DRIFT_SCHEMA, stack: "prod", checkedAt: new Date(T0).toISOString(), drifted: gone.length > 0,
        vms: gone.map((name) => ({ urn: `urn:pulumi:prod::p::t::${name}`, name, computeSystemId: `id-${name}`, host: "sim:x", drift: "gone", action: "create", fields: [] })),
        counts: { vms: 3, gone: gone.length, changed: 0, unchanged: 3 - gone.length, unmanaged: 0 },
    };
}

class Conflict extends Error {}

/** Operations that play a script: each call takes the next entry (a value, or an error to throw). */
function scripted(checks: (DriftSummary | Error)[], ups: (Error | number | undefined)[] = []): StackOperations & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async check() {
            calls.push("check");
            const next = checks.shift();
            if (next === undefined) throw new Error("the script ran out of checks");
            if (next instanceof Error) throw next;
            return next;
        },
        async remediate() {
            calls.push("up");
            const next = ups.shift();
            if (next instanceof Error) throw next;
            return { changes: next ?? 1 };
        },
        isConflict: (err) => err instanceof Conflict,
    };
}

const OPTIONS: ReconcileOptions = { stack: "prod", remediate: false, maxRetries: 3, backoff: { initialMs: 1000, maxMs: 8000 } };

async function runWith(operations: StackOperations, options: Partial<ReconcileOptions> = {}, stopAfter?: (s: ReconcileStatus) => boolean) {
    const clock = fakeClock();
    const events: ReconcileStatus[] = [];
    const stop = new AbortController();
    const outcome = await reconcile({ ...OPTIONS, ...options }, {
        operations, clock, stop: stop.signal, random: () => 0.5,
        emit: (s) => {
            events.push(s);
            if (stopAfter?.(s)) stop.abort();
        },
    });
    const brief = events.map((e) => `${e.phase}/${e.reason}#${e.pass}.${e.attempt}`);
    return { outcome, events, brief, clock, code: exitCodeOf(outcome) };
}

describe("backoff", () => {
    it("doubles from the initial delay, caps at the maximum, and jitters between half and all of each step", () => {
        const policy = { initialMs: 1000, maxMs: 8000 };
        expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
        expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
        expect(backoffDelay({ ...policy, factor: 3 }, 2, () => 0.5)).toBe(2250);
    });
});

describe("one pass (no interval)", () => {
    it("no drift: Ready, exit 0, no wait", async () => {
        const ops = scripted([summary()]);
        const run = await runWith(ops);
        expect(run.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Ready/NoDrift#1.1"]);
        expect(run.events.at(-1)).toMatchObject({ stack: "prod", drift: { vms: 3, gone: 0 }, nextRunAt: null });
        expect(run.code).toBe(0);
        expect(ops.calls).toEqual(["check"]);
        expect(run.clock.waits).toEqual([]);
    });

    it("drift, report-only: Drifted with the summary naming the VM, exit 3, nothing applied", async () => {
        const ops = scripted([summary(["vm-2"])]);
        const run = await runWith(ops);
        expect(run.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Drifted/DriftFound#1.1"]);
        expect(run.events.at(-1)!.summary!.vms.map((vm) => vm.name)).toEqual(["vm-2"]);
        expect(run.events.at(-1)!.message).toBe("1 of 3 VMs drifted (1 gone, 0 changed): vm-2");
        expect(run.code).toBe(3);
        expect(ops.calls).toEqual(["check"]);
    });

    it("drift with --remediate: Remediating, then Ready/Remediated, exit 0", async () => {
        const ops = scripted([summary(["vm-2"])]);
        const run = await runWith(ops, { remediate: true });
        expect(run.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Reconciling/Remediating#1.1", "Ready/Remediated#1.1"]);
        expect(run.events[1]!.summary!.vms[0]!.name).toBe("vm-2");
        expect(run.code).toBe(0);
        expect(ops.calls).toEqual(["check", "up"]);
    });

    it("an update conflict is retried after backoff from the check; the other runner's work leaves nothing to do: Ready", async () => {
        const ops = scripted([summary(["vm-2"]), summary(["vm-2"]), summary()], [new Conflict("the stack is currently locked by 1 lock(s)"), new Conflict("locked")]);
        const run = await runWith(ops, { remediate: true });
        expect(run.brief).toEqual([
            "Reconciling/CheckingDrift#1.1", "Reconciling/Remediating#1.1", "Reconciling/UpdateConflict#1.1",
            "Reconciling/CheckingDrift#1.2", "Reconciling/Remediating#1.2", "Reconciling/UpdateConflict#1.2",
            "Reconciling/CheckingDrift#1.3", "Ready/NoDrift#1.3",
        ]);
        expect(ops.calls).toEqual(["check", "up", "check", "up", "check"]);
        expect(run.clock.waits).toEqual([750, 1500]);
        // The retry's time is announced: the conflict event's nextRunAt is now + the wait.
        expect(Date.parse(run.events[2]!.nextRunAt!) - Date.parse(run.events[2]!.time)).toBe(750);
        expect(run.events[2]!.message).toMatch(/^another update holds the stack \(the stack is currently locked by 1 lock\(s\)\); retrying in 0.8 s$/);
        expect(run.code).toBe(0);
    });

    it("conflicts until the retries run out: Stalled/UpdateConflict, exit 5", async () => {
        const conflict = () => new Conflict("locked");
        const ops = scripted(Array.from({ length: 4 }, () => summary(["vm-2"])), Array.from({ length: 4 }, conflict));
        const run = await runWith(ops, { remediate: true, maxRetries: 3 });
        expect(ops.calls).toEqual(["check", "up", "check", "up", "check", "up", "check", "up"]);
        expect(run.clock.waits).toEqual([750, 1500, 3000]);
        expect(run.events.filter((e) => e.phase === "Stalled")).toEqual([expect.objectContaining({ reason: "UpdateConflict", attempt: 4, nextRunAt: null,
            message: "another update holds the stack (locked); gave up after 4 attempts" })]);
        expect(run.code).toBe(5);
    });

    it("a remediation that keeps failing: exponential waits (capped), then Stalled/RemediationFailed, exit 4", async () => {
        const ops = scripted(Array.from({ length: 6 }, () => summary(["vm-2"])), Array.from({ length: 6 }, () => new Error("create failed: HCS said no")));
        const run = await runWith(ops, { remediate: true, maxRetries: 5 });
        expect(run.clock.waits).toEqual([750, 1500, 3000, 6000, 6000]);
        expect(run.events.filter((e) => e.reason === "RemediationFailed").map((e) => e.phase)).toEqual([...Array(5).fill("Reconciling"), "Stalled"]);
        expect(run.events.at(-1)!.message).toBe("the remediation failed: create failed: HCS said no; gave up after 6 attempts");
        expect(run.code).toBe(4);
    });

    it("a drift check that fails, then works: retried, Ready; one that keeps failing: Stalled/CheckFailed, exit 1", async () => {
        const flaky = await runWith(scripted([new Error("host unreachable"), summary()]));
        expect(flaky.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Reconciling/CheckFailed#1.1", "Reconciling/CheckingDrift#1.2", "Ready/NoDrift#1.2"]);
        expect(flaky.code).toBe(0);
        const broken = await runWith(scripted([new Error("a"), new Error("b")]), { maxRetries: 1 });
        expect(broken.events.at(-1)).toMatchObject({ phase: "Stalled", reason: "CheckFailed", message: "the drift check failed: b; gave up after 2 attempts" });
        expect(broken.code).toBe(1);
    });

    it("an update that finds nothing left to change (another runner converged the stack after the check): Ready/NoDrift, not Remediated", async () => {
        const run = await runWith(scripted([summary(["vm-2"])], [0]), { remediate: true });
        expect(run.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Reconciling/Remediating#1.1", "Ready/NoDrift#1.1"]);
        expect(run.events.at(-1)!.message).toMatch(/^no drift left: pulumi up --refresh found nothing to change/);
        expect(run.code).toBe(0);
    });

    it("--max-retries 0: the first conflict is final", async () => {
        const run = await runWith(scripted([summary(["a"])], [new Conflict("locked")]), { remediate: true, maxRetries: 0 });
        expect(run.clock.waits).toEqual([]);
        expect(run.code).toBe(5);
    });
});

describe("with an interval", () => {
    it("passes start an interval apart (measured from each pass's start), announce nextRunAt, and stop on the signal", async () => {
        const ops = scripted([summary(), summary(["vm-1"]), summary()]);
        let passesDone = 0;
        const run = await runWith(ops, { intervalMs: 60_000 }, (s) => s.phase !== "Reconciling" && ++passesDone === 3);
        expect(run.brief).toEqual([
            "Reconciling/CheckingDrift#1.1", "Ready/NoDrift#1.1",
            "Reconciling/CheckingDrift#2.1", "Drifted/DriftFound#2.1",
            "Reconciling/CheckingDrift#3.1", "Ready/NoDrift#3.1",
            "Ready/Stopped#0.0",
        ]);
        expect(run.events[1]!.nextRunAt).toBe(new Date(T0 + 60_000).toISOString());
        expect(run.events[3]!.nextRunAt).toBe(new Date(T0 + 120_000).toISOString());
        // Stopped as the third pass reported: no wait for the next, and the stop event announces none.
        expect(run.events[6]!.nextRunAt).toBeNull();
        expect(run.clock.waits).toEqual([60_000, 60_000]);
        expect(run.code).toBe(0);
    });

    it("a pass that outlasts the interval is followed at once", async () => {
        const clock = fakeClock();
        const ops = scripted([summary(), summary()]);
        const slow: StackOperations = { ...ops, check: async (signal) => {
            clock.advance(90_000);
            return ops.check(signal);
        } };
        const stop = new AbortController();
        let finals = 0;
        await reconcile({ ...OPTIONS, intervalMs: 60_000 }, { operations: slow, clock, stop: stop.signal, random: () => 0.5,
            emit: (s) => {
                if (s.phase !== "Reconciling" && ++finals === 2) stop.abort();
            } });
        expect(clock.waits).toEqual([0]);
    });

    it("an up that fails once a stop was asked for (Ctrl+C reached the CLI too) is not retried: stopped, exit 1", async () => {
        const stop = new AbortController();
        const events: ReconcileStatus[] = [];
        const ops = scripted([summary(["vm-1"])]);
        const cancelled: StackOperations = { ...ops, remediate: async () => {
            stop.abort();
            throw new Error("update canceled");
        } };
        const outcome = await reconcile({ ...OPTIONS, remediate: true }, { operations: cancelled, clock: fakeClock(), stop: stop.signal, emit: (e) => events.push(e) });
        expect(events.map((e) => e.reason)).toEqual(["CheckingDrift", "Remediating", "Stopped"]);
        expect(exitCodeOf(outcome)).toBe(1);
    });

    it("a stop during a retry's wait ends the loop without another attempt; stopped before any pass ended: exit 1", async () => {
        const ops = scripted([new Error("down"), summary()]);
        const run = await runWith(ops, { intervalMs: 60_000 }, (s) => s.reason === "CheckFailed");
        expect(ops.calls).toEqual(["check"]);
        expect(run.brief).toEqual(["Reconciling/CheckingDrift#1.1", "Reconciling/CheckFailed#1.1", "Reconciling/Stopped#0.0"]);
        expect(run.code).toBe(1);
    });
});
