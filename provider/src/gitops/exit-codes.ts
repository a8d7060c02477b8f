/**
 * The exit codes of `pulumi-hcs drift-report` and `pulumi-hcs reconcile`, the ones a pipeline
 * branches on (docs/operations.md, "Reconcile"). 3, 4 and 5 are free in Pulumi's own range (it
 * uses 0, 1, 2 and 7), so a script wrapping both cannot mistake one for the other.
 */
export const DRIFT_EXIT = {
    /** No drift; for reconcile: converged (Ready). */
    clean: 0,
    /** Something else failed: the preview, the program, the backend, the host. */
    error: 1,
    /** Bad usage. */
    usage: 2,
    /** Drift found and not remediated (report-only). */
    drift: 3,
    /** Remediation (`up --refresh`) failed, or did not converge, after the retries. */
    remediationFailed: 4,
    /** Another update held the stack, and the retries ran out before it ended (Stalled). */
    conflict: 5,
} as const;

export type DriftExitCode = (typeof DRIFT_EXIT)[keyof typeof DRIFT_EXIT];
