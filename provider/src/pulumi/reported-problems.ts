/**
 * The problems the SDK already reported under a VM. When a program declares a VM, the SDK applies
 * the rules that need no host to the inputs it can see and logs each problem as an error under
 * that VM (sdk/src/report-problems.ts), because the engine stops a preview at the first resource
 * whose check fails and would otherwise show one invalid VM of many. It sends the lines it logged
 * under `__reportedProblems`.
 *
 * check still decides what is refused; this only changes how its refusal reads. A failure that
 * repeats a reported line word for word is not printed again: the engine would print it right
 * under the same line in its longer form ("… resource 'vm': property owner value {} has a
 * problem: …"). One failure without a property points at them instead, so the refusal is the same
 * however the key was set.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PropertyBag } from "./property-bags";

/** The key the SDK sends the reported lines under (the SDK's REPORTED_PROBLEMS_KEY). */
export const REPORTED_PROBLEMS_KEY = "__reportedProblems";

/** `check` of `news` without the key, with the failures that repeat a reported line pointed at instead. */
export async function checkWithReports(
    check: (olds: PropertyBag, news: PropertyBag) => Promise<pulumi.dynamic.CheckResult>,
    olds: PropertyBag,
    news: PropertyBag,
): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, reported } = takeReportedProblems(news);
    return withoutRepeats(await check(olds, inputs), reported);
}

/** The inputs without the key, for check, and the lines it named (strings only). */
export function takeReportedProblems(news: PropertyBag): { readonly inputs: PropertyBag; readonly reported: ReadonlySet<string> } {
    if (!(REPORTED_PROBLEMS_KEY in news)) return { inputs: news, reported: new Set() };
    const { [REPORTED_PROBLEMS_KEY]: value, ...inputs } = news;
    const reported = Array.isArray(value) ? value.filter((line): line is string => typeof line === "string") : [];
    return { inputs, reported: new Set(reported) };
}

/**
 * `result` with each failure that repeats a reported line (`property: reason`, as the SDK writes
 * it) replaced by one failure that points at them; the others stay as they are, after it.
 */
export function withoutRepeats(result: pulumi.dynamic.CheckResult, reported: ReadonlySet<string>): pulumi.dynamic.CheckResult {
    const failures = result.failures ?? [];
    if (reported.size === 0 || failures.length === 0) return result;
    const fresh = failures.filter((f) => !reported.has(`${f.property}: ${f.reason}`));
    const repeated = failures.length - fresh.length;
    if (repeated === 0) return result;
    // The engine prints a failure without a property as "<type> resource '<name>' has a problem: <reason>".
    const listed = repeated === 1 ? "the problem listed above" : `the ${repeated} problems listed above`;
    return { ...result, failures: [{ property: "", reason: `${listed}, which the provider's check confirms` }, ...fresh] };
}
