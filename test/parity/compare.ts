import {
    hcsshimWords,
    isHostFileRefusal,
    stricterRulesBroken,
    withOurTerminateOnLastHandle,
    type StricterRule,
} from "../../provider/src/model/hcsshim-differences";
import type { HcsshimAnswer } from "./hcsshim-oracle";
import type { ParityCase } from "./parity-case";
import type { ProjectAnswer } from "./project-side";

/** The two ways a user reaches the document: `pulumi-hcs render` and the provider's create. */
export const SIDES = ["render", "create"] as const;
export type Side = (typeof SIDES)[number];

/** What one side did: the document, or its refusal's messages. */
type Outcome = { readonly document: string } | { readonly messages: readonly string[] };

/**
 * How a case compares (docs/parity.md):
 * - `document`: hcsshim sent a document; each side must send the same bytes, once the deliberate
 *   differences (provider/src/model/hcsshim-differences.ts) are applied to hcsshim's;
 * - `refusal`: hcsshim refused; each side must refuse, one of its messages containing hcsshim's own
 *   words (without its wrapper and the operating system's text);
 * - `deliberate`: hcsshim accepted inputs that break one of our stricter rules; each side must refuse,
 *   naming the input the rule is about.
 * `problems` lists every way a side fell short; a case agrees when it is empty.
 *
 * What create sent is taken at the binding, so a document the simulated HCS then refused (a VSMB
 * share folder that does not exist, say) still counts as sent: hcsshim's stand-in HCS accepts every
 * document, and a real one would refuse hcsshim's the same way. Such cases are noted.
 */
export interface Verdict {
    readonly kind: "document" | "refusal" | "deliberate";
    /** hcsshim's document as we must send it, or hcsshim's words we must contain. */
    readonly expected: string;
    readonly rules: readonly StricterRule[];
    readonly problems: readonly string[];
    /** Facts worth reporting that are not problems (the simulated HCS refused what create sent). */
    readonly notes: readonly string[];
    /** Per side, whether it agreed. */
    readonly agreed: Readonly<Record<Side, boolean>>;
}

export function compareCase(c: ParityCase, hcsshim: HcsshimAnswer, project: ProjectAnswer): Verdict {
    const outcomes: Record<Side, Outcome> = { render: renderOutcome(project.render), create: createOutcome(project.create) };
    const rules = stricterRulesBroken({ ...c.args, ...c.exact });
    const problems: string[] = [];
    const notes: string[] = project.create.refusedBy === "hcs" ? [`the simulated HCS refused what create sent: ${project.create.messages?.join("; ")}`] : [];
    const agreed = { render: true, create: true };
    const fault = (side: Side, problem: string): void => {
        agreed[side] = false;
        problems.push(`${side}: ${problem}`);
    };

    if (hcsshim.outcome === "refused") {
        const words = hcsshimWords(hcsshim.error ?? "", hcsshim.osError);
        // Preview does not read the host's files (`every-failure`): a create refused there has not
        // come to hcsshim's refusal about them yet.
        const refusedAtPreview = project.create.refusedBy === "check" && isHostFileRefusal(words);
        for (const side of SIDES) {
            const outcome = outcomes[side];
            if ("document" in outcome) fault(side, `sent a document where hcsshim refuses with "${words}"`);
            else if (!outcome.messages.some((m) => m.includes(words)) && !(side === "create" && refusedAtPreview)) {
                fault(side, `refused, but no message contains hcsshim's words "${words}": ${JSON.stringify(outcome.messages)}`);
            }
        }
        return { kind: "refusal", expected: words, rules, problems, notes, agreed };
    }

    const expected = withOurTerminateOnLastHandle(hcsshim.document ?? "", c.args);
    if (rules.length > 0) {
        for (const side of SIDES) {
            const outcome = outcomes[side];
            if ("document" in outcome) fault(side, `sent a document although the inputs break our stricter rules ${JSON.stringify(rules)}`);
            else if (!namesAnyRule(outcome, rules)) {
                fault(side, `refused without naming ${rules.map((r) => r.field).join(" or ")}: ${JSON.stringify(outcome.messages)}`);
            }
        }
        return { kind: "deliberate", expected, rules, problems, notes, agreed };
    }
    for (const side of SIDES) {
        const outcome = outcomes[side];
        if (!("document" in outcome)) fault(side, `refused what hcsshim accepts: ${JSON.stringify(outcome.messages)}`);
        else if (outcome.document !== expected) fault(side, `sent another document:\n  hcsshim: ${expected}\n  ours:    ${outcome.document}`);
    }
    return { kind: "document", expected, rules, problems, notes, agreed };
}

/** Whether a refusal names an input one of the stricter rules is about. */
function namesAnyRule(outcome: Outcome, rules: readonly StricterRule[]): boolean {
    return "messages" in outcome && rules.some((r) => outcome.messages.some((m) => m.startsWith(`${r.field}:`)));
}

function renderOutcome(render: ProjectAnswer["render"]): Outcome {
    if (render.status === 0) return { document: render.stdout.replace(/\n$/, "") };
    if (render.status === 2) return { messages: render.stderr };
    throw new Error(`pulumi-hcs render failed unexpectedly (exit ${render.status}): ${render.stderr.join("\n")}`);
}

function createOutcome(create: ProjectAnswer["create"]): Outcome {
    if (create.cleanupError !== undefined) throw new Error(`deleting the VM create made failed: ${create.cleanupError}`);
    if (create.document !== undefined) return { document: create.document };
    return { messages: create.messages ?? [] };
}

/** Counts for the parity line: per kind, the cases and those where both sides agreed. */
export interface ParityCounts {
    readonly cases: number;
    readonly documents: { readonly total: number; readonly identical: number };
    readonly refusals: { readonly total: number; readonly agreeing: number };
    readonly deliberate: { readonly total: number; readonly agreeing: number };
}

export function countVerdicts(verdicts: readonly Verdict[]): ParityCounts {
    const of = (kind: Verdict["kind"]) => verdicts.filter((v) => v.kind === kind);
    const agreeing = (vs: readonly Verdict[]) => vs.filter((v) => v.problems.length === 0).length;
    return {
        cases: verdicts.length,
        documents: { total: of("document").length, identical: agreeing(of("document")) },
        refusals: { total: of("refusal").length, agreeing: agreeing(of("refusal")) },
        deliberate: { total: of("deliberate").length, agreeing: agreeing(of("deliberate")) },
    };
}

/** `parity: 316 cases; documents identical 200/200; refusals agreeing 90/90; deliberate refusals 26/26`. */
export function parityLine(counts: ParityCounts): string {
    return (
        `parity: ${counts.cases} cases; documents identical ${counts.documents.identical}/${counts.documents.total}; ` +
        `refusals agreeing ${counts.refusals.agreeing}/${counts.refusals.total}; ` +
        `deliberate refusals ${counts.deliberate.agreeing}/${counts.deliberate.total}`
    );
}
