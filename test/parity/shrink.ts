import * as path from "node:path";
import fc from "fast-check";
import { compareCase } from "./compare";
import { askHcsshim } from "./hcsshim-oracle";
import type { ParityCase } from "./parity-case";
import type { ParitySettings } from "./parity-settings";
import { askProject } from "./project-side";
import { parityCaseArbitrary } from "./random-cases";

/** A random case that disagreed, made as small as fast-check could while it still disagrees. */
export interface ShrunkCase {
    /** The run it started from (`random-0042`). */
    readonly from: string;
    readonly case: Omit<ParityCase, "name"> | undefined;
    readonly problems: readonly string[];
    /** How many smaller cases were tried (each one hcsshim process and one runner). */
    readonly tried: number;
}

/**
 * Shrinks the random case of run `index` (fast-check replays it from the seed and its path, then
 * tries smaller ones), running each candidate through hcsshim and pulumi-hcs anew. Stops after
 * `timeLimitMs`, keeping the smallest disagreeing case found by then.
 */
export async function shrinkRandomCase(
    index: number,
    creatorChoices: readonly number[],
    settings: ParitySettings,
    timeLimitMs: number,
): Promise<ShrunkCase> {
    const work = { ...settings, work: path.join(settings.work, "shrink") };
    let tried = 0;
    let last: readonly string[] = [];
    const property = fc.asyncProperty(parityCaseArbitrary(creatorChoices), async (drawn) => {
        tried++;
        const c: ParityCase = { name: "shrink", ...drawn };
        const [h, p] = await Promise.all([askHcsshim([c], work), askProject([c], work)]);
        const verdict = compareCase(c, h.get(c.name)!, p.get(c.name)!);
        if (verdict.problems.length > 0) last = verdict.problems;
        return verdict.problems.length === 0;
    });
    const details = await fc.check(property, {
        seed: settings.seed,
        numRuns: settings.runs,
        path: String(index),
        endOnFailure: false,
        interruptAfterTimeLimit: timeLimitMs,
        markInterruptAsFailure: false,
    });
    return { from: `random-${String(index).padStart(4, "0")}`, case: details.counterexample?.[0], problems: last, tried };
}
