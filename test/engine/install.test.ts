/**
 * The install path of README "Installing", the way a user takes it (issue 12, item 1): scripts/pack.sh
 * packs pulumi-hcs-provider and pulumi-hcs, a fresh TypeScript Pulumi program in a folder outside the
 * repository installs the two tarballs with npm, the installed package's own `pulumi-hcs sim` plays
 * the host, and the real CLI previews, creates and destroys a VM. Nothing resolves from the
 * workspace: the program has only what npm put in its node_modules. Then the same program without
 * pulumi-hcs-provider: preview and destroy fail in one line naming the package to install.
 *
 * One npm install serves every case; it comes from npm's cache when the workspace is installed.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { newProjectUnder, type PulumiProject, type RunResult, stepsOf, utilityVms } from "../support/pulumi-project";

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, "../..");
const LAYERS = ["C:\\layers\\base", "C:\\uvms\\installed-uvm"];

interface Manifest {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

const manifestOf = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")) as Manifest;
const providerManifest = manifestOf("provider");
const sdkManifest = manifestOf("sdk");
const workspaceManifest = manifestOf(".");

/** The environment commands run with: this test's node (22+) first on PATH, as the engine tests do. */
const ENV: NodeJS.ProcessEnv = { ...process.env, PATH: [path.dirname(process.execPath), process.env.PATH].join(path.delimiter), NO_COLOR: "1" };

function run(file: string, args: readonly string[], cwd: string): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(file, args, { cwd, env: ENV, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
    });
}

async function must(file: string, args: readonly string[], cwd: string): Promise<RunResult> {
    const result = await run(file, args, cwd);
    if (result.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result;
}

/** A line of a JavaScript stack trace (`    at f (file.js:1:2)`, `    at node:internal/...`). */
const STACK_FRAME = /^\s*at .*(:\d+:\d+\)?|\(native\)|node:internal.*)$/m;

let work: string;
let tarballs: { provider: string; sdk: string };
let hostRoot: string;
let project: PulumiProject;
let npmInstall: RunResult;

/** The installed package's own command, through the bin link npm made. */
const pulumiHcs = (args: readonly string[]) => must(path.join(project.dir, "node_modules", ".bin", "pulumi-hcs"), args, project.dir);

/** The compute systems on the simulated host, as the installed `pulumi-hcs ps --json` lists them. */
async function systemsOnHost(): Promise<{ id: string; state: string }[]> {
    return JSON.parse((await pulumiHcs(["ps", "--json", "--host", `sim:${hostRoot}/hcs.sock`])).stdout) as { id: string; state: string }[];
}

/** A program as `pulumi new typescript` lays it out, declaring one WcowUtilityVm. */
function writeProgram(dir: string): void {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: hcs-installed\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({
        name: "hcs-installed",
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": sdkManifest.dependencies!["@pulumi/pulumi"] },
        devDependencies: { typescript: workspaceManifest.devDependencies!.typescript, "@types/node": workspaceManifest.devDependencies!["@types/node"] },
    }, null, 2));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, outDir: "bin", target: "es2022", module: "commonjs", moduleResolution: "node", sourceMap: true, skipLibCheck: true },
        files: ["index.ts"],
    }, null, 2));
    fs.writeFileSync(path.join(dir, "index.ts"), [
        'import * as pulumi from "@pulumi/pulumi";',
        'import * as hcs from "pulumi-hcs";',
        "",
        "const config = new pulumi.Config();",
        'const vm = new hcs.WcowUtilityVm("installed-uvm", { layerFolders: config.requireObject<string[]>("layerFolders"), processorCount: 1 });',
        "export const computeSystemId = vm.computeSystemId;",
        "export const state = vm.state;",
        "",
    ].join("\n"));
}

beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-hcs-install-"));
    const packed = (await must("bash", [path.join(ROOT, "scripts", "pack.sh"), path.join(work, "pack")], ROOT)).stdout.trim().split("\n");
    const named = (prefix: string) => packed.find((file) => path.basename(file).startsWith(prefix))!;
    tarballs = { provider: named(`${providerManifest.name}-${providerManifest.version}`), sdk: named(`${sdkManifest.name}-${sdkManifest.version}`) };

    hostRoot = path.join(work, "host");
    project = await newProjectUnder(work, "program", { PULUMI_HCS_HOST: `sim:${hostRoot}/hcs.sock` }, writeProgram);
    npmInstall = await must("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarballs.provider, tarballs.sdk], project.dir);

    await pulumiHcs(["sim", "--root", hostRoot, "--logical-processors", "4", "--detach"]);
    await pulumiHcs(["sim", "seed-layers", "--root", hostRoot, "--layer", LAYERS[0]!]);
    await project.config({ layerFolders: LAYERS });
});

afterAll(async () => {
    if (project !== undefined && fs.existsSync(hostRoot)) await run(path.join(project.dir, "node_modules", ".bin", "pulumi-hcs"), ["sim", "stop", "--root", hostRoot], project.dir);
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

describe("the packed packages, installed into a program outside the repository", () => {
    it("packs the built code and the simulator's library, and no sources, tests, source maps or build info", async () => {
        const files = async (tarball: string) => (await must("tar", ["tzf", tarball], work)).stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
        const provider = await files(tarballs.provider);
        const sdk = await files(tarballs.sdk);
        expect(provider).toEqual(expect.arrayContaining([
            "bin/pulumi-hcs.js", "dist/src/pulumi/provider.js", "dist/src/cli/main.js", "dist/sim/service/run-service.js",
            "sim/native/build/libhcssim.so", "sim/native/hcssim.c", "sim/native/build.js",
        ]));
        expect(sdk).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/dynamic.js"]));
        for (const file of [...provider, ...sdk]) {
            expect(file).not.toMatch(/\.tsbuildinfo$|\.map$|(?<!\.d)\.ts$|\.test\.|^test\/|\.dll$/);
        }
        expect(sdkManifest.dependencies![providerManifest.name]).toBe(providerManifest.version);
    });

    it("installs without an install step of its own: npm lists neither package among those with install scripts", () => {
        // npm 11 warns about each dependency whose install scripts (prepare included, for tarballs)
        // no allowScripts entry covers; koffi's and protobufjs's may be listed, ours must not be.
        const listed = (npmInstall.stdout + npmInstall.stderr).split("\n").filter((line) => line.includes("install-scripts"));
        for (const manifest of [sdkManifest, providerManifest]) {
            expect(listed.filter((line) => line.includes(` ${manifest.name}@${manifest.version} (`))).toEqual([]);
            const installed = JSON.parse(fs.readFileSync(path.join(project.dir, "node_modules", manifest.name, "package.json"), "utf8")) as { scripts?: Record<string, string> };
            expect(Object.keys(installed.scripts ?? {}).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
        }
        expect(fs.readdirSync(path.join(project.dir, "node_modules", providerManifest.name, "sim", "native", "build"))).toEqual(["libhcssim.so"]);
    });

    it("type-checks the program against the installed SDK's declarations (tsc --noEmit)", async () => {
        // Pulumi's TypeScript host only transpiles, so declarations the package lacks or does not
        // point to (an implicit `any` module under strict) show here alone.
        const tsc = await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], project.dir);
        expect(tsc.stdout + tsc.stderr).toBe("");
        expect(tsc.code).toBe(0);
    });

    it("previews, creates and destroys a VM: pulumi preview, up and destroy with the installed packages", async () => {
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(stepsOf(preview)).toContain("create installed-uvm");
        expect(await systemsOnHost()).toEqual([]);

        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).toBe(0);
        const [vm] = utilityVms(await project.exportState());
        expect(vm!.outputs).toMatchObject({ state: "Running", processorCount: 1 });
        expect((await systemsOnHost()).map((s) => [s.id, s.state])).toEqual([[vm!.id, "Running"]]);

        const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expect(destroy.code).toBe(0);
        expect(await systemsOnHost()).toEqual([]);
        expect(utilityVms(await project.exportState())).toEqual([]);
    });

    it("without pulumi-hcs-provider, preview and destroy fail in one line naming the package to install, with no stack trace", async () => {
        expect((await project.pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
        const [vm] = utilityVms(await project.exportState());
        const installed = path.join(project.dir, "node_modules", providerManifest.name);
        const aside = path.join(work, "provider-aside");
        const install = `npm install ${providerManifest.name}@${providerManifest.version}`;
        fs.renameSync(installed, aside);
        let preview: RunResult;
        let destroy: RunResult;
        try {
            preview = await project.pulumi(["preview"]);
            destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        } finally {
            fs.renameSync(aside, installed);
        }
        // The program's import of pulumi-hcs fails first, once, before anything registers.
        expect(preview.code).not.toBe(0);
        const previewOutput = preview.stdout + preview.stderr;
        expect(previewOutput).toContain(`the implementation package ${providerManifest.name} is not installed`);
        expect(previewOutput).toContain(install);
        expect(previewOutput).not.toMatch(STACK_FRAME);
        expect(previewOutput).not.toContain("Cannot find module");
        // Destroy runs no program: the provider the state names reports it, and the VM stays.
        expect(destroy.code).not.toBe(0);
        const destroyOutput = destroy.stdout + destroy.stderr;
        expect(destroyOutput).toContain(install);
        expect(destroyOutput).not.toMatch(STACK_FRAME);
        expect(destroyOutput).not.toContain("Cannot find module");
        expect((await systemsOnHost()).map((s) => s.id)).toEqual([vm!.id]);

        expect((await project.pulumi(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
        expect(await systemsOnHost()).toEqual([]);
    });
});
