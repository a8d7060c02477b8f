/**
 * One measurement series' Pulumi project: a copy of a bench program (bench/programs/<name>, compiled
 * to bench/programs/dist) in a fresh folder under .bench/work, with its own stack, file backend and
 * PULUMI_HOME, driven through the real Pulumi CLI offline (as test/support/pulumi-project.ts does
 * for the examples). The folder is under the repository so `@pulumi/pulumi` and `pulumi-hcs`
 * resolve from the workspace's node_modules, exactly as for the examples.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BENCH_WORK, PROGRAMS_DIST, PROGRAMS_SOURCE, PULUMI_BIN } from "./paths";

/** The bench's Pulumi programs (folders under bench/programs). */
export type BenchProgram = "hcs-vms" | "noop" | "shaped-noop";

export interface TimedRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Wall time of the `pulumi` process, spawn to exit, in seconds. */
    readonly seconds: number;
}

export interface BenchStack {
    readonly dir: string;
    readonly program: BenchProgram;
    /** Runs `pulumi <args> --non-interactive`, timed; never throws on a non-zero exit. */
    run(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<TimedRun>;
    /** As `run`, but throws with the CLI's output when the command fails. */
    must(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<TimedRun>;
    /** The stack's checkpoint file (the state a file backend keeps), for its size. */
    checkpointFile(): string;
    remove(): void;
}

const STACK = "bench";

let engineProfileDir: string | undefined;

/** Makes every later `pulumi` command write its Go profiles under `dir` (`--profile-engine`). */
export function profileEngineInto(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    engineProfileDir = dir;
}

/**
 * A fresh project for `program` with `count` resources.
 * @param env what the CLI (and so the language host and the provider) sees besides the offline settings.
 * @param pathPrefix folders put before the Pulumi toolchain on PATH (a profiling wrapper of the plugin).
 * @throws Error when the bench programs or the CLI are missing, or `stack init`/`config set` fail.
 */
export async function newBenchStack(program: BenchProgram, label: string, count: number, env: NodeJS.ProcessEnv, pathPrefix: readonly string[] = []): Promise<BenchStack> {
    const main = path.join(PROGRAMS_DIST, program, "index.js");
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build the bench programs first (scripts/bench.sh does)`);
    if (!fs.existsSync(path.join(PULUMI_BIN, "pulumi"))) throw new Error(`the Pulumi CLI is not installed in ${PULUMI_BIN}: source scripts/setup.sh`);

    const dir = path.join(BENCH_WORK, `${label}-${randomBytes(3).toString("hex")}`);
    fs.mkdirSync(path.join(dir, ".state"), { recursive: true });
    fs.copyFileSync(path.join(PROGRAMS_SOURCE, program, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.cpSync(PROGRAMS_DIST, path.join(dir, "dist"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: `bench-${program}`, private: true, main: `dist/${program}/index.js` }, null, 2)}\n`);

    const baseEnv: NodeJS.ProcessEnv = {
        ...process.env,
        ...env,
        // The language host and the dynamic-provider plugin run `node`: the one running the bench (22+).
        PATH: [...pathPrefix, PULUMI_BIN, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(dir, ".pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-hcs-bench",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        NO_COLOR: "1",
    };

    const run = (args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TimedRun> => new Promise((resolve) => {
        const started = process.hrtime.bigint();
        // --profile-engine: the CLI's own Go profiles (pprof CPU and memory, and a trace) per command.
        const profiling = engineProfileDir !== undefined ? ["--profiling", path.join(engineProfileDir, `${label}-${args[0]}`)] : [];
        execFile(path.join(PULUMI_BIN, "pulumi"), [...args, ...profiling, "--non-interactive"], { cwd: dir, env: { ...baseEnv, ...extraEnv }, maxBuffer: 256 * 1024 * 1024 },
            (err, stdout, stderr) => {
                const seconds = Number(process.hrtime.bigint() - started) / 1e9;
                resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr, seconds });
            });
    });
    const must = async (args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<TimedRun> => {
        const result = await run(args, extraEnv);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} failed in ${dir} (exit ${result.code}):\n${tail(result.stdout)}\n${tail(result.stderr)}`);
        }
        return result;
    };

    await must(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await must(["config", "set", "count", String(count)]);

    return {
        dir,
        program,
        run,
        must,
        checkpointFile() {
            const stacks = path.join(dir, ".state", ".pulumi", "stacks");
            for (const project of fs.readdirSync(stacks)) {
                const file = path.join(stacks, project, `${STACK}.json`);
                if (fs.existsSync(file)) return file;
            }
            throw new Error(`no checkpoint for stack '${STACK}' under ${stacks}`);
        },
        remove() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The last lines of a command's output, for error messages. */
function tail(text: string, lines = 40): string {
    return text.split("\n").slice(-lines).join("\n");
}
