import { HcsError } from "../hcs/hcs-error";
import type { RollbackFailure } from "./rollback";
import type { UtilityVmState } from "./state";

/**
 * A lifecycle action that failed at one named step. The message says what was being done, to which
 * compute system, at which step, and why (the cause's message, with HCS's HRESULT and events when
 * the cause is an HcsError, which then does not repeat the ID); `cause` keeps the original error.
 */
export class UvmStepError extends Error {
    override readonly name = "UvmStepError";

    constructor(
        /** What the caller was doing, e.g. `create utility VM`. */
        readonly action: string,
        /**
         * The compute-system ID. Not named `id`: Pulumi's dynamic-provider host reads an error's
         * `id` as "created, but failed to initialize" and records the resource.
         */
        readonly computeSystemId: string,
        /** The step that failed, in hcsshim's words where it has them (`failed to create scratch`). */
        readonly step: string,
        cause: unknown,
        /** Undo steps that also failed: what this call could not clean up. */
        readonly rollbackFailures: readonly RollbackFailure[] = [],
        /**
         * When rollback failed: what is known of what was left behind, so the caller can keep it in
         * state (Pulumi then deletes it on the next destroy instead of forgetting it).
         */
        readonly leftBehind?: Partial<UtilityVmState>,
    ) {
        const reason = reasonFor(computeSystemId, cause);
        const notUndone = rollbackFailures.length === 0 ? "" :
            `; rollback could not undo: ${rollbackFailures.map((f) => `${f.step} (${reasonFor(computeSystemId, f.error)})`).join("; ")}`;
        super(`${action} '${computeSystemId}': ${step}: ${reason}${notUndone}`, { cause });
    }
}

/**
 * The cause's message, said without the compute-system ID when it is an HcsError about the system
 * this error already names: `HcsStartComputeSystem failed: <HRESULT and reason>`.
 */
function reasonFor(computeSystemId: string, cause: unknown): string {
    if (cause instanceof HcsError && cause.computeSystemId === computeSystemId) return `${cause.operation} failed: ${cause.reason}`;
    return cause instanceof Error ? cause.message : String(cause);
}
