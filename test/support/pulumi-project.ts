/**
 * Runs an example program through the real Pulumi CLI (the toolchain scripts/install-pulumi.sh puts
 * in .tools/pulumi/bin), offline: a local file backend (or a shared one a test starts, see
 * ProjectOptions), passphrase secrets, no update check, no plugin downloads. Each project is a copy
 * of the example (Pulumi.yaml, package.json, the compiled dist/) in a folder under the repository,
 * so `@pulumi/pulumi` and `pulumi-hcs` resolve from the workspace's node_modules exactly as for the
 * example itself, while stacks and state stay private.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const PULUMI_BIN = path.join(ROOT, ".tools", "pulumi", "bin");

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface PulumiProject {
    readonly dir: string;
    readonly stack: string;
    /** The PULUMI_BACKEND_URL the project's CLI runs with. */
    readonly backendUrl: string;
    /** Runs `pulumi <args> --non-interactive` in the project; never throws on a non-zero exit. */
    pulumi(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
    /** Starts `pulumi <args> --non-interactive` and returns at once: the process (to kill) and its result. */
    start(args: readonly string[], env?: NodeJS.ProcessEnv): { readonly child: ChildProcess; readonly done: Promise<RunResult> };
    /** `pulumi config set` for each entry (values are strings; objects are JSON, set with --path-less JSON). */
    config(values: Record<string, string | number | object>): Promise<void>;
    /** `pulumi preview --json`, parsed. */
    previewJson(): Promise<PreviewDigest & { code: number; stderr: string }>;
    /** `pulumi stack export`, parsed. */
    exportState(): Promise<StackState>;
    /** `pulumi stack output --json`, parsed. */
    outputs(): Promise<Record<string, unknown>>;
    remove(): void;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly replaceReasons?: string[];
    readonly newState?: { inputs?: Record<string, unknown> };
}

export interface PreviewDigest {
    readonly steps?: PreviewStep[];
    readonly diagnostics?: { message: string; severity: string; urn?: string }[];
    readonly changeSummary?: Record<string, number>;
}

export interface StackResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

export interface StackState {
    readonly deployment: { resources?: StackResource[] };
}

/** The WcowUtilityVm resources of a state. */
export function utilityVms(state: StackState): StackResource[] {
    return (state.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic/hcs:WcowUtilityVm");
}

/**
 * Where a project keeps its state, when not in its own file backend: a shared backend's login URL and
 * the environment its credentials are in (test/support/state-backends.ts starts such servers).
 */
export interface ProjectBackend {
    readonly url: string;
    readonly env?: Readonly<Record<string, string>>;
}

export interface ProjectOptions {
    /** @default a file backend in the project's own `.state` folder */
    readonly backend?: ProjectBackend;
    /** The stack `stack init` makes (several projects of one program can share a backend). @default "test" */
    readonly stack?: string;
}

/**
 * A private copy of `examples/<example>` with its own stack, backend and PULUMI_HOME.
 * @param env environment the CLI (and so the provider) sees: PULUMI_HCS_HOST and the like.
 */
export async function newPulumiProject(example: string, env: NodeJS.ProcessEnv): Promise<PulumiProject> {
    const source = path.join(ROOT, "examples", example);
    if (!fs.existsSync(path.join(source, "dist", "index.js"))) {
        throw new Error(`examples/${example} is not built: run \`npm run build\` first`);
    }
    return newProjectFrom(example, env, (dir) => {
        for (const file of ["Pulumi.yaml", "package.json"]) fs.copyFileSync(path.join(source, file), path.join(dir, file));
        fs.cpSync(path.join(source, "dist"), path.join(dir, "dist"), { recursive: true });
    });
}

/**
 * A private copy of a test program (a folder of plain JavaScript under test/engine/programs), set up
 * like {@link newPulumiProject}.
 */
export async function newTestProgram(program: string, env: NodeJS.ProcessEnv, options: ProjectOptions = {}): Promise<PulumiProject> {
    const source = path.join(ROOT, "test", "engine", "programs", program);
    return newProjectFrom(program, env, (dir) => fs.cpSync(source, dir, { recursive: true }), undefined, options);
}

/**
 * A project in a new folder under `parent`, populated by `populate`, set up like
 * {@link newPulumiProject}. Under a folder outside the repository (os.tmpdir()), nothing resolves
 * from the workspace: the project's packages are only what it installs itself.
 */
export async function newProjectUnder(parent: string, name: string, env: NodeJS.ProcessEnv, populate: (dir: string) => void): Promise<PulumiProject> {
    return newProjectFrom(name, env, populate, parent);
}

async function newProjectFrom(name: string, env: NodeJS.ProcessEnv, populate: (dir: string) => void, parent = path.join(ROOT, ".test-work"), options: ProjectOptions = {}): Promise<PulumiProject> {
    if (!fs.existsSync(path.join(PULUMI_BIN, "pulumi"))) {
        throw new Error(`the Pulumi CLI is not installed in ${PULUMI_BIN}: run scripts/install-pulumi.sh`);
    }
    const dir = path.join(parent, `${name}-${randomBytes(4).toString("hex")}`);
    fs.mkdirSync(dir, { recursive: true });
    populate(dir);

    const backendUrl = options.backend?.url ?? `file://${path.join(dir, ".state")}`;
    const baseEnv: NodeJS.ProcessEnv = {
        ...process.env,
        ...env,
        ...options.backend?.env,
        // The language host and the dynamic-provider plugin run `node`: the one running these tests (22+).
        PATH: [PULUMI_BIN, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(dir, ".pulumi-home"),
        PULUMI_BACKEND_URL: backendUrl,
        PULUMI_CONFIG_PASSPHRASE: "pulumi-hcs-tests",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        PULUMI_HCS_LOG_LEVEL: process.env.PULUMI_HCS_LOG_LEVEL ?? "warn",
        NO_COLOR: "1",
    };
    if (options.backend === undefined) fs.mkdirSync(path.join(dir, ".state"), { recursive: true });

    const run = (args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> => new Promise((resolve) => {
        execFile(path.join(PULUMI_BIN, "pulumi"), [...args, "--non-interactive"], { cwd: dir, env: { ...baseEnv, ...extra }, maxBuffer: 64 * 1024 * 1024 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
    });
    const must = async (args: readonly string[]): Promise<RunResult> => {
        const result = await run(args);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
        return result;
    };

    const stack = options.stack ?? "test";
    await must(["stack", "init", stack, "--secrets-provider", "passphrase"]);

    const start = (args: readonly string[], extra: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<RunResult> } => {
        const child = spawn(path.join(PULUMI_BIN, "pulumi"), [...args, "--non-interactive"], { cwd: dir, env: { ...baseEnv, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const done = new Promise<RunResult>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
        return { child, done };
    };

    return {
        dir,
        stack,
        backendUrl,
        pulumi: run,
        start,
        async config(values) {
            for (const [key, value] of Object.entries(values)) {
                await must(["config", "set", key, typeof value === "object" ? JSON.stringify(value) : String(value)]);
            }
        },
        async previewJson() {
            const result = await run(["preview", "--json"]);
            let digest: PreviewDigest = {};
            try {
                digest = JSON.parse(result.stdout) as PreviewDigest;
            } catch {
                throw new Error(`pulumi preview --json printed no JSON (${result.code}):\n${result.stdout}\n${result.stderr}`);
            }
            return { ...digest, code: result.code, stderr: result.stderr };
        },
        async exportState() {
            return JSON.parse((await must(["stack", "export"])).stdout) as StackState;
        },
        async outputs() {
            return JSON.parse((await must(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        },
        remove() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The steps of a preview, as `op urn-name` pairs for readable assertions. */
export function stepsOf(digest: PreviewDigest): string[] {
    return (digest.steps ?? []).map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

/** Fails with the CLI's own output when a command did not succeed (so the reason is in the test log). */
export function expectSuccess(result: RunResult): void {
    if (result.code !== 0) throw new Error(`pulumi exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
}
