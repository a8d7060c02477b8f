import * as fs from "node:fs";
import * as path from "node:path";
import { hcsshimWords, withOurTerminateOnLastHandle } from "../../provider/src/model/hcsshim-differences";
import { VECTORS_DIR } from "../vectors/vector-cases";
import type { HcsshimAnswer } from "./hcsshim-oracle";
import type { ParityCase } from "./parity-case";

/**
 * Rewrites each golden vector's `expect` from hcsshim's own answer (scripts/test-parity.sh
 * --write-fixtures): the document hcsshim sent, with our deliberate differences applied, or hcsshim's
 * words for its refusal. Everything else in the file (host, files, args) is the case as written.
 */
export function writeGoldenFixtures(cases: readonly ParityCase[], answers: ReadonlyMap<string, HcsshimAnswer>): void {
    for (const c of cases) {
        const file = vectorFile(c);
        const vector = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        const answer = answers.get(c.name);
        if (answer === undefined) throw new Error(`hcsshim gave no answer for ${c.name}`);
        vector.expect = expectationFrom(c, answer);
        fs.writeFileSync(file, `${JSON.stringify(vector, null, 2)}\n`);
    }
}

/** The golden vector file a golden case came from. */
export function vectorFile(c: ParityCase): string {
    return path.join(VECTORS_DIR, `${c.name.replace(/^golden-/, "")}.json`);
}

/** A vector's `expect` as hcsshim's answer makes it. */
export function expectationFrom(c: ParityCase, answer: HcsshimAnswer): { document: unknown } | { errors: string[] } {
    return answer.outcome === "document"
        ? { document: JSON.parse(withOurTerminateOnLastHandle(answer.document ?? "", c.args)) as unknown }
        : { errors: [hcsshimWords(answer.error ?? "", answer.osError)] };
}
