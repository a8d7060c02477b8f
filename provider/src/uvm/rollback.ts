import { log } from "../log/logger";

/** An undo step that failed while rolling back; the thing it could not undo is left behind. */
export interface RollbackFailure {
    readonly step: string;
    readonly error: Error;
}

/**
 * Rollback is one mechanism (hcsshim's single deferred Close in CreateWCOW): each step records its
 * undo as soon as it has done something, and on failure the undos run in reverse order. Every undo
 * runs even when an earlier one fails, and failures are returned so the caller can say what was
 * left behind.
 */
export class Rollback {
    private readonly undos: { step: string; undo: () => Promise<void> }[] = [];

    /** Records how to undo `step`, which has just taken effect. */
    add(step: string, undo: () => Promise<void>): void {
        this.undos.push({ step, undo });
    }

    /** Runs every recorded undo, last first, and forgets them. */
    async run(): Promise<RollbackFailure[]> {
        const failures: RollbackFailure[] = [];
        for (const { step, undo } of this.undos.reverse()) {
            try {
                await undo();
                log.debug({ step }, "rolled back");
            } catch (err) {
                const error = err instanceof Error ? err : new Error(String(err));
                log.error({ step, err: error.message }, "rollback step failed");
                failures.push({ step, error });
            }
        }
        this.undos.length = 0;
        return failures;
    }
}
