import * as fs from "node:fs";
import * as path from "node:path";

/** Where scripts/test-parity.sh put hcsshim's harness and Wine, and what to run (docs/parity.md). */
export interface ParitySettings {
    /** The harness built from hcsshim v0.12.9 for Windows (PULUMI_HCS_PARITY_HARNESS). */
    readonly harness: string;
    /** The tier's own Wine prefix, with the stand-in vmcompute.dll in system32 (PULUMI_HCS_PARITY_PREFIX). */
    readonly prefix: string;
    readonly wine: string;
    /** Batches and results of this run (PULUMI_HCS_PARITY_WORK). */
    readonly work: string;
    /** fast-check's seed for the random cases (PULUMI_HCS_PARITY_SEED). */
    readonly seed: number;
    /** How many random cases (PULUMI_HCS_PARITY_RUNS). */
    readonly runs: number;
    /** Rewrite test/vectors/cases from hcsshim's answers (PULUMI_HCS_PARITY_WRITE_FIXTURES=1). */
    readonly writeFixtures: boolean;
    /** How long to shrink the first disagreeing random case; 0 skips it (PULUMI_HCS_PARITY_SHRINK_SECONDS). */
    readonly shrinkSeconds: number;
}

/** The fixed seed CI runs; another seed (or more runs) is a knob away. */
export const DEFAULT_SEED = 20261213;
/** At least 300 random cases per run. */
export const DEFAULT_RUNS = 300;

const REPO = path.resolve(__dirname, "../..");

/**
 * The settings from the environment scripts/test-parity.sh sets.
 * @throws {Error} naming what is missing: the tier runs through that script, which builds the harness.
 */
export function paritySettings(env: NodeJS.ProcessEnv = process.env): ParitySettings {
    const harness = env.PULUMI_HCS_PARITY_HARNESS;
    const prefix = env.PULUMI_HCS_PARITY_PREFIX;
    if (!harness || !prefix || !fs.existsSync(harness) || !fs.existsSync(prefix)) {
        throw new Error(
            "the parity tier needs hcsshim's harness and its Wine prefix (PULUMI_HCS_PARITY_HARNESS, PULUMI_HCS_PARITY_PREFIX); " +
                "run it with `bash scripts/test-parity.sh`, which fetches hcsshim v0.12.9 and builds them",
        );
    }
    return {
        harness,
        prefix,
        wine: env.PULUMI_HCS_PARITY_WINE || "wine",
        work: env.PULUMI_HCS_PARITY_WORK || path.join(REPO, ".tools", "parity", "work"),
        seed: integer(env.PULUMI_HCS_PARITY_SEED, DEFAULT_SEED, "PULUMI_HCS_PARITY_SEED"),
        runs: integer(env.PULUMI_HCS_PARITY_RUNS, DEFAULT_RUNS, "PULUMI_HCS_PARITY_RUNS"),
        writeFixtures: env.PULUMI_HCS_PARITY_WRITE_FIXTURES === "1",
        shrinkSeconds: integer(env.PULUMI_HCS_PARITY_SHRINK_SECONDS, 120, "PULUMI_HCS_PARITY_SHRINK_SECONDS"),
    };
}

function integer(text: string | undefined, fallback: number, name: string): number {
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return value;
}
