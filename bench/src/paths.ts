/** Where the bench finds the repository's parts and puts its own files. */
import path from "node:path";

/** The repository root (bench/dist/<file>.js and bench/src/<file>.ts are both two levels down). */
export const ROOT = path.resolve(__dirname, "../..");
export const PULUMI_BIN = path.join(ROOT, ".tools", "pulumi", "bin");
export const PROGRAMS_SOURCE = path.join(ROOT, "bench", "programs");
export const PROGRAMS_DIST = path.join(PROGRAMS_SOURCE, "dist");
/** Git-ignored: results, work folders, profiles. */
export const BENCH_OUT = path.join(ROOT, ".bench");
export const BENCH_WORK = path.join(BENCH_OUT, "work");
/** The `pulumi-hcs` command (the agent runs from provider/dist, as the tests' agents do). */
export const PROVIDER_CLI = path.join(ROOT, "provider", "bin", "pulumi-hcs.js");
