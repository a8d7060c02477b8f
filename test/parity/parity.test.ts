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
import { writeGoldenFixtures } from "./write-fixtures";

const REPO = path.resolve(__dirname, "../..");
const settings = paritySettings();
const creatorChoices = allowedCpus().length >= 2 ? [1, 2] : [1];
const cases: ParityCase[] = [...goldenCases(), ...randomCases(settings.seed, settings.runs, creatorChoices)];

let hcsshim: Map<string, HcsshimAnswer>;
let project: Map<string, ProjectAnswer>;
const verdicts = new Map<string, Verdict>();
const timings: Record<string, number> = {};

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
}, 30 * 60_000);

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
});

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
