import type { CallOptions } from "../hcs";

/**
 * A budget for a whole lifecycle action (a resource's `timeouts.create`, say): each HCS call inside
 * gets what is left, so the action as a whole ends when the user asked. Without a budget each call
 * keeps its own named default (hcsshim's four minutes).
 */
export class Deadline {
    private readonly endsAt: number | undefined;

    constructor(private readonly budgetMs: number | undefined, private readonly now: () => number = Date.now) {
        this.endsAt = budgetMs === undefined ? undefined : now() + budgetMs;
    }

    /**
     * The budget for undoing a failed action, starting now: a quarter of the action's budget, at
     * least 5 s (a rollback after a timeout would otherwise have none left); without a budget, each
     * call keeps its default. So a resource's timeout bounds its whole operation, cleanup included,
     * to 1.25 times the budget plus 5 s.
     */
    forCleanup(): Deadline {
        return new Deadline(this.budgetMs === undefined ? undefined : Math.max(5000, Math.floor(this.budgetMs / 4)), this.now);
    }

    /**
     * Options for the next HCS call: the remaining budget (at least 1 ms), or the call's default.
     * `share` gives the call only that fraction of what remains, for a step that must leave time
     * for a fallback (a graceful shutdown before a terminate).
     */
    call(share = 1): CallOptions {
        if (this.endsAt === undefined) return {};
        return { timeoutMs: Math.max(1, Math.floor((this.endsAt - this.now()) * share)) };
    }
}
