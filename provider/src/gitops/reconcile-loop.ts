import { backoffDelay, type BackoffPolicy } from "./backoff";
import type { Clock } from "./clock";
import type { DriftSummary } from "./drift-summary";
import { DRIFT_EXIT, type DriftExitCode } from "./exit-codes";
import type { ReconcilePhase, ReconcileReason, ReconcileStatus } from "./reconcile-status";

/**
 * What a reconcile pass does to the stack. The CLI binds these to the Automation API
 * (stack-runner.ts); the tests to fakes.
 */
export interface StackOperations {
    /** The drift check (`pulumi preview --refresh`): writes nothing. */
    check(signal: AbortSignal): Promise<DriftSummary>;
    /**
     * The remediation (`pulumi up --refresh`). `signal` aborts it the way Ctrl+C does (see reconcile.ts).
     * @returns how many resources the update changed (creates, updates, replaces, deletes): 0 when its
     *   own refresh found nothing left to do, as when another runner converged the stack meanwhile.
     */
    remediate(signal: AbortSignal): Promise<{ readonly changes: number }>;
    /** Whether an error means another update holds the stack (it can be retried once that one ends). */
    isConflict(err: unknown): boolean;
}

export interface ReconcileOptions {
    readonly stack: string;
    /** Run `up --refresh` on drift; else only report it. */
    readonly remediate: boolean;
    /** Time between the start of one pass and the next; undefined: one pass, then return. */
    readonly intervalMs?: number;
    /** Retries within a pass after its first attempt fails (a conflict, a failed check or up). */
    readonly maxRetries: number;
    readonly backoff: BackoffPolicy;
}

export interface ReconcileContext {
    readonly operations: StackOperations;
    readonly clock: Clock;
    /** Receives every status event, in order. */
    readonly emit: (status: ReconcileStatus) => void;
    /** Aborted to stop: the loop ends between passes (or during a wait), and operations get it. */
    readonly stop: AbortSignal;
    /**
     * Aborted to interrupt a running remediation too (a second Ctrl+C). Defaults to `stop`; the CLI
     * keeps it separate so the first signal lets an `up` finish.
     */
    readonly interruptOperation?: AbortSignal;
    /** For the jitter. @default Math.random */
    readonly random?: () => number;
}

/** How a pass ended. */
export type PassOutcome =
    /** `remediated`: an update of this pass changed the stack (false: no drift, or the update found none left). */
    | { readonly kind: "ready"; readonly summary: DriftSummary; readonly remediated: boolean; readonly attempts: number }
    | { readonly kind: "drifted"; readonly summary: DriftSummary; readonly attempts: number }
    | { readonly kind: "stalled"; readonly cause: "conflict" | "check" | "remediation"; readonly error: string; readonly summary: DriftSummary | null; readonly attempts: number }
    | { readonly kind: "stopped" };

/** The exit code a pass's outcome stands for (exit-codes.ts). */
export function exitCodeOf(outcome: PassOutcome | undefined): DriftExitCode {
    switch (outcome?.kind) {
        case "ready":
            return DRIFT_EXIT.clean;
        case "drifted":
            return DRIFT_EXIT.drift;
        case "stalled":
            return outcome.cause === "conflict" ? DRIFT_EXIT.conflict : outcome.cause === "remediation" ? DRIFT_EXIT.remediationFailed : DRIFT_EXIT.error;
        default:
            // Stopped before any pass ended: nothing is known about the stack.
            return DRIFT_EXIT.error;
    }
}

/**
 * Reconciles a stack as the Pulumi Kubernetes Operator reconciles a Stack: each pass checks for
 * drift (refresh + preview); on drift it reports (Drifted) or, with `remediate`, runs `up --refresh`
 * (Ready once it succeeds). A pass whose check or update fails is retried after an exponential
 * backoff, from the check, so a retry after a conflict first sees what the other run did (often:
 * nothing left to do). When the retries run out the pass ends Stalled. With an interval, passes
 * repeat until `stop` aborts; without, one pass runs.
 * @returns the last finished pass's outcome (`stopped` if none finished).
 */
export async function reconcile(options: ReconcileOptions, context: ReconcileContext): Promise<PassOutcome> {
    const { clock, stop } = context;
    let last: PassOutcome = { kind: "stopped" };
    for (let pass = 1; !stop.aborted; pass++) {
        const startedAt = clock.now().getTime();
        const outcome = await runPass(pass, options, context);
        if (outcome.kind === "stopped") break;
        last = outcome;
        const next = options.intervalMs !== undefined && !stop.aborted ? new Date(startedAt + options.intervalMs) : null;
        context.emit(finalStatus(pass, outcome, options.stack, clock.now(), next));
        if (next === null) break;
        await clock.sleep(Math.max(0, next.getTime() - clock.now().getTime()), stop);
    }
    if (stop.aborted) {
        const phase: ReconcilePhase = last.kind === "ready" ? "Ready" : last.kind === "drifted" ? "Drifted" : last.kind === "stalled" ? "Stalled" : "Reconciling";
        context.emit({ time: clock.now().toISOString(), stack: options.stack, phase, reason: "Stopped", message: "stopped by a signal", pass: 0, attempt: 0,
            drift: "summary" in last && last.summary !== null ? last.summary.counts : null, nextRunAt: null });
    }
    return last;
}

/** One pass: check, then report or remediate; retried with backoff until it ends one way or another. */
async function runPass(pass: number, options: ReconcileOptions, context: ReconcileContext): Promise<PassOutcome> {
    const { operations, clock, stop, emit } = context;
    const interrupt = context.interruptOperation ?? stop;
    const status = (phase: ReconcilePhase, reason: ReconcileReason, message: string, attempt: number, summary: DriftSummary | null, nextRunAt: Date | null = null, withSummary = false): ReconcileStatus => ({
        time: clock.now().toISOString(), stack: options.stack, phase, reason, message, pass, attempt,
        drift: summary?.counts ?? null, nextRunAt: nextRunAt?.toISOString() ?? null, ...(withSummary && summary !== null ? { summary } : {}),
    });

    for (let attempt = 1; ; attempt++) {
        if (stop.aborted) return { kind: "stopped" };
        let stage: "check" | "remediation" = "check";
        let summary: DriftSummary | null = null;
        try {
            emit(status("Reconciling", "CheckingDrift", "checking for drift (pulumi preview --refresh)", attempt, null));
            summary = await operations.check(stop);
            if (!summary.drifted) return { kind: "ready", summary, remediated: false, attempts: attempt };
            if (!options.remediate) return { kind: "drifted", summary, attempts: attempt };
            stage = "remediation";
            emit(status("Reconciling", "Remediating", `${describeDrift(summary)}; remediating (pulumi up --refresh)`, attempt, summary, null, true));
            const { changes } = await operations.remediate(interrupt);
            return { kind: "ready", summary, remediated: changes > 0, attempts: attempt };
        } catch (err) {
            // Whatever fails once a stop was asked for is no failure to retry: the runner is going away
            // (a check cut short, an up the CLI cancelled because Ctrl+C reached it too).
            if (stop.aborted) return { kind: "stopped" };
            const conflict = operations.isConflict(err);
            const cause = conflict ? "conflict" : stage;
            const reason: ReconcileReason = conflict ? "UpdateConflict" : stage === "check" ? "CheckFailed" : "RemediationFailed";
            const error = messageOf(err);
            if (attempt > options.maxRetries) {
                return { kind: "stalled", cause, error: `${conflictOrFailure(conflict, stage, error)}; gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}`, summary, attempts: attempt };
            }
            const delay = backoffDelay(options.backoff, attempt, context.random);
            const retryAt = new Date(clock.now().getTime() + delay);
            emit(status("Reconciling", reason, `${conflictOrFailure(conflict, stage, error)}; retrying in ${Math.round(delay / 100) / 10} s`, attempt, summary, retryAt));
            await clock.sleep(delay, stop);
        }
    }
}

function finalStatus(pass: number, outcome: Exclude<PassOutcome, { kind: "stopped" }>, stack: string, now: Date, next: Date | null): ReconcileStatus {
    const base = { time: now.toISOString(), stack, pass, attempt: outcome.attempts, nextRunAt: next?.toISOString() ?? null };
    switch (outcome.kind) {
        case "ready":
            return { ...base, phase: "Ready", reason: outcome.remediated ? "Remediated" : "NoDrift", drift: outcome.summary.counts,
                message: outcome.remediated ? `remediated: ${describeDrift(outcome.summary)} before pulumi up --refresh`
                    : outcome.summary.drifted ? `no drift left: pulumi up --refresh found nothing to change (another run converged the stack after this check)`
                        : `no drift (${outcome.summary.counts.vms} VMs checked)` };
        case "drifted":
            return { ...base, phase: "Drifted", reason: "DriftFound", drift: outcome.summary.counts, message: describeDrift(outcome.summary), summary: outcome.summary };
        case "stalled":
            return { ...base, phase: "Stalled", reason: outcome.cause === "conflict" ? "UpdateConflict" : outcome.cause === "check" ? "CheckFailed" : "RemediationFailed",
                drift: outcome.summary?.counts ?? null, message: outcome.error };
    }
}

/** `2 of 25 VMs drifted (1 gone, 1 changed): vm-3, vm-7`. */
export function describeDrift(summary: DriftSummary): string {
    const { counts } = summary;
    const names = summary.vms.slice(0, 5).map((vm) => vm.name).join(", ") + (summary.vms.length > 5 ? `, +${summary.vms.length - 5} more` : "");
    const parts = [`${counts.gone} gone`, `${counts.changed} changed`, ...(counts.unmanaged > 0 ? [`${counts.unmanaged} no longer in the program`] : [])];
    return `${summary.vms.length} of ${counts.vms} VMs drifted (${parts.join(", ")}): ${names}`;
}

function conflictOrFailure(conflict: boolean, stage: "check" | "remediation", error: string): string {
    if (conflict) return `another update holds the stack (${firstLine(error)})`;
    return `${stage === "check" ? "the drift check" : "the remediation"} failed: ${firstLine(error)}`;
}

function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** The first meaningful line: CLI errors carry the whole stdout and stderr. */
function firstLine(text: string): string {
    const line = text.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? text;
    return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
