/**
 * Reporting the problems the SDK sees in a VM's inputs (declared-problems.ts) as errors under that
 * VM. The engine stops a preview at the first resource whose check fails, so without these a
 * program with three invalid VMs shows one; with them it shows each, with all its problems, and
 * then fails on check, which still decides (the provider's `withoutRepeats` folds the problems it
 * finds again into one line pointing here).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The property the reported problems travel in (the provider's REPORTED_PROBLEMS_KEY), so check
 * can tell which of its failures the user has already read.
 */
export const REPORTED_PROBLEMS_KEY = "__reportedProblems";

/**
 * Logs each problem as an error under the resource `urn` names, and returns the problems once the
 * engine has them all. The VM's registration waits for that (it is the value of
 * REPORTED_PROBLEMS_KEY), so its check cannot end the run before they are shown: the engine drops
 * diagnostics that arrive after it stopped.
 *
 * Waiting for this VM's reports only, not those of VMs declared after it, is what keeps this free of
 * deadlock (a program's own `pulumi.log` call about this VM may sit between them in Pulumi's one
 * queue of log messages, waiting for its registration). The later VMs' reports are already queued
 * by the time this registration reaches the provider, and Pulumi sends the queue in order.
 */
export function reportProblems(urn: pulumi.Output<string>, problems: readonly string[]): Promise<string[]> {
    // pulumi.log names a resource by awaiting its `urn`, which Pulumi resolves when the engine
    // answers the registration: never, for a VM whose check fails, and the registration waits for
    // these reports anyway. The URN is known before registration (the one the provider gets in
    // __resource), so a stand-in carries it.
    const resource = { urn } as unknown as pulumi.Resource;
    const delivered = problems.map((problem) => pulumi.log.error(problem, resource));
    return Promise.all(delivered).then(() => [...problems]);
}
