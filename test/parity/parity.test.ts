/**
 * The parity tier (docs/parity.md): hcsshim v0.12.9's own CreateWCOW, run under Wine, is the judge of
 * the documents pulumi-hcs sends and of what it refuses. Every golden vector and a seeded set of
 * random cases go through hcsshim and through pulumi-hcs (`render` and the provider's create); each
 * case is one test. Run it with `bash scripts/test-parity.sh`, which builds hcsshim's harness.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { allowedCpus } from "./cpu-affinity";
import { compareCase, countVerdicts, parityLine, type Verdict } from "./compare";
import { goldenCases } from "./golden-cases";
import { askHcsshim, type HcsshimAnswer } from "./hcsshim-oracle";
import type { ParityCase } from "./parity-case";
import { paritySettings } from "./parity-settings";
import { askProject, type ProjectAnswer } from "./project-side";
import { randomCases } from "./random-cases";
import { shrinkRandomCase, type ShrunkCase } from "./shrink";
import { expectationFrom, vectorFile, writeGoldenFixtures } from "./write-fixtures";

const REPO = path.resolve(__dirname, "../..");
const settings = paritySettings();
const cpus = allowedCpus().length;
const creatorChoices = cpus >= 2 ? [1, 2] : [1];
const all: ParityCase[] = [...goldenCases(), ...randomCases(settings.seed, settings.runs, creatorChoices)];
// A case whose creator needs more CPUs than this machine gives cannot be run as it is meant.
const cases = all.filter((c) => c.host.creatorProcessors <= cpus);
const unrunnable = all.filter((c) => c.host.creatorProcessors > cpus);

let hcsshim: Map<string, HcsshimAnswer>;
let project: Map<string, ProjectAnswer>;
const verdicts = new Map<string, Verdict>();
const timings: Record<string, number> = {};
let shrunk: ShrunkCase | undefined;

beforeAll(async () => {
    const started = Date.now();
    // hcsshim's Wine processes run one after another; the project's runners meanwhile.
    const [h, p] = await Promise.all([
        askHcsshim(cases, settings).finally(() => (timings.hcsshimMs = Date.now() - started)),
        askProject(cases, settings).finally(() => (timings.projectMs = Date.now() - started)),
    ]);
    hcsshim = h;
    project = p;
    timings.totalMs = Date.now() - started;
    if (settings.writeFixtures) writeGoldenFixtures(cases.filter((c) => c.origin === "golden"), hcsshim);
    // The first random case that disagrees is shrunk to a smaller one that still does (fast-check
    // replays it from the seed), so the report shows the difference with little else around it.
    const failing = cases.find((c) => c.origin === "random" && compareCase(c, hcsshim.get(c.name)!, project.get(c.name)!).problems.length > 0);
    if (failing !== undefined && settings.shrinkSeconds > 0) {
        shrunk = await shrinkRandomCase(Number(failing.name.slice("random-".length)), creatorChoices, settings, settings.shrinkSeconds * 1000);
    }
}, 60 * 60_000);

afterAll(() => {
    if (verdicts.size === 0) return;
    const counts = countVerdicts([...verdicts.values()]);
    const line = parityLine(counts);
    const perMinute = timings.totalMs ? Math.round((cases.length / timings.totalMs) * 60_000) : undefined;
    const report = {
        line,
        seed: settings.seed,
        randomCases: settings.runs,
        counts,
        timings: { ...timings, casesPerMinute: perMinute },
        unrunnable: unrunnable.map((c) => `${c.name} (its creator needs ${c.host.creatorProcessors} CPUs, this machine gives ${cpus})`),
        shrunk,
        notes: [...verdicts.entries()].filter(([, v]) => v.notes.length > 0).map(([name, v]) => ({ name, notes: v.notes })),
        differences: [...verdicts.entries()].filter(([, v]) => v.problems.length > 0).map(([name, v]) => ({
            name,
            case: cases.find((c) => c.name === name),
            kind: v.kind,
            problems: v.problems,
        })),
    };
    fs.mkdirSync(path.join(REPO, ".test-results"), { recursive: true });
    fs.writeFileSync(path.join(REPO, ".test-results", "parity-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${line} (seed ${settings.seed}, ${settings.runs} random; ${perMinute ?? "?"} cases/min)\n`);
    if (shrunk !== undefined) process.stdout.write(`shrunk ${shrunk.from} after ${shrunk.tried} tries to ${JSON.stringify(shrunk.case)}: ${shrunk.problems.join("; ")}\n`);
});

describe("the golden vectors say what hcsshim v0.12.9 says", () => {
    const golden = cases.filter((c) => c.origin === "golden");
    test.each(golden.map((c) => [c.name, c] as const))("%s", (name, c) => {
        const answer = hcsshim.get(name);
        if (answer === undefined) throw new Error(`no answer from hcsshim for ${name}`);
        const written = (JSON.parse(fs.readFileSync(vectorFile(c), "utf8")) as { expect: unknown }).expect;
        // Rewrite them with scripts/test-parity.sh --write-fixtures.
        expect(written).toEqual(expectationFrom(c, answer));
    });
});

if (unrunnable.length > 0) {
    test.skip.each(unrunnable.map((c) => [c.name, c.host.creatorProcessors] as const))("%s: its creator needs %d CPUs; this machine has fewer", () => {});
}

describe("pulumi-hcs agrees with hcsshim v0.12.9's CreateWCOW", () => {
    test.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => {
        const h = hcsshim.get(name);
        const p = project.get(name);
        if (h === undefined || p === undefined) throw new Error(`no answer for ${name} from ${h === undefined ? "hcsshim" : "pulumi-hcs"}`);
        const verdict = compareCase(c, h, p);
        verdicts.set(name, verdict);
        expect({ case: { host: c.host, files: c.files, args: c.args, exact: c.exact }, kind: verdict.kind, problems: verdict.problems }).toEqual({
            case: expect.anything(),
            kind: verdict.kind,
            problems: [],
        });
    });
});
