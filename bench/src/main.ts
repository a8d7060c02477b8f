/**
 * `npm run bench` (scripts/bench.sh builds this and runs it): pulumi-hcs against the floor, a no-op
 * dynamic provider, for `up`, `preview`, `refresh` and `destroy` of N resources on a simulated host
 * with no added latency (with `--agent`, also through a host agent in front of it); state sizes; the
 * binding's HCS call throughput with and without koffi.
 * Results go to .bench/ as JSON, Markdown and an SVG chart; the tables are printed at the end.
 *
 *     node bench/dist/main.js [--sizes 1,25,100] [--runs 5] [--large 500] [--large-runs 1]
 *                             [--no-binding | --binding-only] [--profile] [--profile-program] [--keep-work]
 *                             [--shape-floor] [--agent] [--profile-engine]
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { profileEngineInto } from "./bench-stack";
import { measureBindingThroughput } from "./binding-throughput";
import { formatDuration, markdownReport } from "./markdown-report";
import { BENCH_OUT, BENCH_WORK, PULUMI_BIN } from "./paths";
import { profileSummariesMarkdown, summarizeProfile, writeProviderProfilingWrapper } from "./profiling";
import { type BenchResults, callsOf, growthOf, stateRowsOf, timingsOf } from "./results";
import { type Kind, runSeries, type SeriesResult } from "./series";
import { svgChart } from "./svg-chart";

interface Options {
    sizes: number[];
    runs: number;
    /** A larger N tried after the others (0: none), with its own run count. */
    large: number;
    largeRuns: number;
    binding: boolean;
    seriesEnabled: boolean;
    profile: boolean;
    profileProgram: boolean;
    keepWork: boolean;
    /** Also measure the diagnostic shape floor (bench/programs/shaped-noop). */
    shapeFloor: boolean;
    profileEngine: boolean;
    /** Also measure pulumi-hcs through a host agent (pulumi-hcs-agent) against the direct path. */
    agent: boolean;
}

const USAGE = "usage: bench [--sizes 1,25,100] [--runs N] [--large N|0] [--large-runs N] [--no-binding | --binding-only] [--profile] [--profile-program] [--keep-work] [--shape-floor] [--agent] [--profile-engine]";

function parseOptions(argv: readonly string[]): Options {
    const options: Options = { sizes: [1, 25, 100], runs: 5, large: 500, largeRuns: 1, binding: true, seriesEnabled: true, profile: false, profileProgram: false, keepWork: false, shapeFloor: false, profileEngine: false, agent: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
            return v;
        };
        const count = (v: string, min: number) => {
            const n = Number(v);
            if (!Number.isInteger(n) || n < min) throw new Error(`${arg} must be a whole number of at least ${min}, not '${v}'\n${USAGE}`);
            return n;
        };
        switch (arg) {
            case "--sizes": options.sizes = value().split(",").map((v) => count(v.trim(), 1)); break;
            case "--runs": options.runs = count(value(), 1); break;
            case "--large": options.large = count(value(), 0); break;
            case "--large-runs": options.largeRuns = count(value(), 1); break;
            case "--no-binding": options.binding = false; break;
            case "--binding-only": options.seriesEnabled = false; break;
            case "--profile": options.profile = true; break;
            case "--profile-program": options.profile = true; options.profileProgram = true; break;
            case "--keep-work": options.keepWork = true; break;
            case "--shape-floor": options.shapeFloor = true; break;
            case "--profile-engine": options.profileEngine = true; break;
            case "--agent": options.agent = true; break;
            case "--help": case "-h": process.stdout.write(`${USAGE}\n`); process.exit(0);
            default: throw new Error(`unknown option '${arg}'\n${USAGE}`);
        }
    }
    return options;
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const startedAt = new Date();
    const t0 = performance.now();
    const log = (line: string) => process.stderr.write(`[bench ${formatDuration((performance.now() - t0) / 1000).padStart(9)}] ${line}\n`);
    fs.mkdirSync(BENCH_WORK, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    const profileDir = options.profile ? path.join(BENCH_OUT, "profiles", stamp) : undefined;
    const wrapperDir = options.profile ? writeProviderProfilingWrapper() : undefined;
    if (options.profileEngine) {
        const engineDir = path.join(BENCH_OUT, "profiles", stamp, "engine");
        profileEngineInto(engineDir);
        log(`engine profiles (go tool pprof -top <file>.cpu): ${path.relative(process.cwd(), engineDir)}`);
    }

    const series: SeriesResult[] = [];
    const failures: { kind: Kind; n: number; run: number; error: string }[] = [];
    const measure = async (n: number, runs: number) => {
        for (let run = 1; run <= runs; run++) {
            // Alternate which kind goes first, so drift (caches, a warming machine) does not favour one.
            const kinds: Kind[] = [
                "floor",
                ...(options.shapeFloor ? ["shape-floor" as const] : []),
                "pulumi-hcs",
                ...(options.agent ? ["pulumi-hcs-agent" as const] : []),
            ];
            const order = run % 2 === 1 ? kinds : kinds.reverse();
            for (const kind of order) {
                try {
                    series.push(await runSeries(kind, n, run, { profileDir, profileProgram: options.profileProgram, wrapperDir, keepWork: options.keepWork, log }));
                } catch (err) {
                    const error = (err as Error).message;
                    failures.push({ kind, n, run, error });
                    log(`${kind} N=${n} run ${run} FAILED: ${error}`);
                }
            }
        }
    };
    if (options.seriesEnabled) {
        for (const n of options.sizes) await measure(n, options.runs);
        if (options.large > 0 && !options.sizes.includes(options.large)) {
            log(`trying N=${options.large} (${options.largeRuns} run${options.largeRuns > 1 ? "s" : ""})`);
            await measure(options.large, options.largeRuns);
        }
    }

    let binding: BenchResults["binding"];
    if (options.binding) {
        log("binding throughput: koffi vs the wire protocol");
        binding = await measureBindingThroughput({ repetitions: 5, durationMs: 1000, inFlight: [1, 16] }, log);
        for (const f of binding.floors.filter((floor) => !floor.ok)) {
            log(`binding: ${f.call}, ${f.path} MISSED its floor of ${f.minCallsPerSecond} calls/s (${f.measured === null ? "not measured" : `${Math.round(f.measured)} calls/s`})`);
        }
    }

    const timings = timingsOf(series);
    const results: BenchResults = {
        startedAt: startedAt.toISOString(),
        totalSeconds: Math.round((performance.now() - t0) / 100) / 10,
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
        machine: machine(),
        options: { ...options },
        series,
        failures,
        timings,
        // Growth up to N=100 is what the targets speak of; the large N, when it ran, gets its own line.
        growth: growthOf(timings, options.sizes.includes(100) ? 100 : undefined),
        state: stateRowsOf(series),
        hcsCallsPerResource: callsOf(series),
        ...(binding ? { binding } : {}),
    };
    const report = markdownReport(results) + largeGrowth(results, options);
    fs.mkdirSync(path.join(BENCH_OUT, "history"), { recursive: true });
    fs.writeFileSync(path.join(BENCH_OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(BENCH_OUT, "history", `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(BENCH_OUT, "results.md"), report);
    if (timings.length > 0) fs.writeFileSync(path.join(BENCH_OUT, "chart.svg"), svgChart(timings, options.agent
        ? "pulumi-hcs (directly and through the host agent) vs the floor: time against N"
        : "pulumi-hcs vs the floor (no-op dynamic provider): time against N"));
    if (profileDir) {
        const files = listProfiles(profileDir);
        const sections = files.map((dir) => profileSummariesMarkdown(path.relative(profileDir, dir.folder), dir.files.map((f) => summarizeProfile(f))));
        fs.writeFileSync(path.join(profileDir, "summary.md"), `# CPU profiles\n\n${sections.join("\n")}`);
        log(`profiles: ${path.relative(process.cwd(), profileDir)} (summary.md)`);
    }
    if (!options.keepWork) fs.rmSync(BENCH_WORK, { recursive: true, force: true });
    process.stdout.write(`${report}\nWritten: .bench/results.json, .bench/results.md${timings.length > 0 ? ", .bench/chart.svg" : ""}\n`);
    if (failures.length > 0 || binding?.floors.some((f) => !f.ok)) process.exitCode = 1;
}

/** The growth to the large N, when it was measured. */
function largeGrowth(results: BenchResults, options: Options): string {
    if (!results.timings.some((t) => t.n === options.large)) return "";
    const lines = ["", `How the ratio moves up to N=${options.large}:`, ""];
    for (const g of growthOf(results.timings)) lines.push(`- ${g.command}: ${g.ratioFrom.toFixed(2)}× at N=${g.from} → ${g.ratioTo.toFixed(2)}× at N=${g.to} (${g.trend})`);
    return `${lines.join("\n")}\n`;
}

function machine(): Record<string, string | number> {
    let pulumi = "unknown";
    try {
        pulumi = execFileSync(path.join(PULUMI_BIN, "pulumi"), ["version"], { encoding: "utf8" }).trim();
    } catch {
        // reported as unknown
    }
    return {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        pulumi,
        platform: `${os.platform()} ${os.release()}`,
    };
}

function listProfiles(root: string): { folder: string; files: string[] }[] {
    const out: { folder: string; files: string[] }[] = [];
    const walk = (dir: string) => {
        const entries = fs.readdirSync(dir, { withFileTypes: true });
        const files = entries.filter((e) => e.isFile() && e.name.endsWith(".cpuprofile")).map((e) => path.join(dir, e.name));
        if (files.length > 0) out.push({ folder: dir, files });
        for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
    };
    walk(root);
    return out;
}

main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
});
