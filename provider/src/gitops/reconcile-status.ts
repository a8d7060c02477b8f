import type { DriftCounts, DriftSummary } from "./drift-summary";

/**
 * The phases of a reconciled stack, as the Pulumi Kubernetes Operator names a Stack's conditions:
 * - Reconciling: a pass is running (checking, remediating) or waiting to retry;
 * - Ready: the last check found no drift, or the remediation converged;
 * - Drifted: the last check found drift and the runner only reports (no --remediate);
 * - Stalled: the retries ran out (a failure that kept failing, or another update that kept the stack).
 */
export type ReconcilePhase = "Reconciling" | "Ready" | "Drifted" | "Stalled";

/** Why the phase is what it is: one word a pipeline can branch on (the message says it for people). */
export type ReconcileReason =
    | "CheckingDrift"
    | "NoDrift"
    | "DriftFound"
    | "Remediating"
    | "Remediated"
    | "UpdateConflict"
    | "CheckFailed"
    | "RemediationFailed"
    | "Stopped";

/** One status event: one JSON line on stdout with --json (docs/operations.md, "Reconcile"). */
export interface ReconcileStatus {
    /** When it happened (RFC 3339). */
    readonly time: string;
    readonly stack: string;
    readonly phase: ReconcilePhase;
    readonly reason: ReconcileReason;
    /** The same for people: what failed, how many VMs drifted... */
    readonly message: string;
    /**
     * The pass (1 = the first check) and the attempt within it (1 = not a retry); a pass's last event
     * (Ready, Drifted, Stalled) has the attempts it took; the Stopped event has 0 for both.
     */
    readonly pass: number;
    readonly attempt: number;
    /** The last check's counts, once a check of this pass has run. */
    readonly drift: DriftCounts | null;
    /** When the next attempt or pass starts (RFC 3339); null when none will (a single pass, or stopping). */
    readonly nextRunAt: string | null;
    /** The whole drift summary, on the event that found the drift (DriftFound, Remediating). */
    readonly summary?: DriftSummary;
}

/** The status as its JSON line (without the newline). */
export function statusLine(status: ReconcileStatus): string {
    return JSON.stringify(status);
}
