import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildComputeSystemDocument } from "../../provider/src/document/build-document";
import { marshalDocument } from "../../provider/src/document/marshal";
import { describeHostFileProblem, hostFileProblems } from "../../provider/src/host/host-file-problems";
import { UtilityVmFolderNotFoundError, locateUVMFolder } from "../../provider/src/host/locate-uvm-folder";
import { MappedFileSystem } from "../../provider/src/host/mapped-filesystem";
import { planScratch } from "../../provider/src/host/scratch-plan";
import { resolveOptions } from "../../provider/src/model/resolve";
import { loadVectors, materialize, snapshotTree, type VectorCase } from "./vector-cases";

const REPO = path.resolve(__dirname, "../..");
const CLI = path.join(REPO, "provider", "bin", "pulumi-hcs.js");
const BUILT_RENDER = path.join(REPO, "provider", "dist", "src", "cli", "render.js");
// The sources the built `render` command is made of; dist older than any of them is stale.
const RENDER_SOURCES = ["provider/src/cli/render.ts", "provider/src/model", "provider/src/document", "provider/src/host/mapped-filesystem.ts", "provider/src/host/local-filesystem.ts", "provider/src/host/locate-uvm-folder.ts", "provider/src/host/scratch-plan.ts", "provider/src/host/filesystem.ts", "provider/src/host/windows-path-mapping.ts", "provider/src/host/host-file-problems.ts", "provider/src/host/dump-directory-problem.ts"];

const cases = loadVectors();
const documentCases = cases.filter((c) => c.expect.document !== undefined);
const byteMatches = { library: 0, cli: 0 };

let root: string;
let scratch: string;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "vector-root-"));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "vector-args-"));
});

afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
});

afterAll(() => {
    // Reported for the record; each document case also asserts its bytes.
    process.stdout.write(
        `golden vectors: ${cases.length} cases; byte-for-byte equal to the expected compact document: ` +
            `library ${byteMatches.library}/${documentCases.length}, render ${byteMatches.cli}/${documentCases.length}\n`,
    );
});

/** The compact form of the expected document: the vectors keep hcsshim's key order. */
const compact = (document: unknown): string => JSON.stringify(document);

/**
 * Resolves, locates, checks the host's files and builds as the provider does; returns the document or
 * every failure's text.
 */
async function renderWithLibrary(c: VectorCase): Promise<{ document?: string; errors: string[] }> {
    const resolved = resolveOptions(c.args, c.host);
    if (!resolved.ok) return { errors: resolved.failures.map((f) => `${f.field}: ${f.message}`) };
    const hostFs = new MappedFileSystem(root);
    let uvmFolder: string;
    try {
        uvmFolder = await locateUVMFolder(hostFs, resolved.options.layerFolders);
    } catch (err) {
        if (err instanceof UtilityVmFolderNotFoundError) return { errors: [`${err.field}: failed to locate utility VM folder from layer folders: ${err.message}`] };
        throw err;
    }
    const problems = await hostFileProblems(hostFs, { ...resolved.options, uvmFolder });
    if (problems.length > 0) return { errors: problems.map((p) => `${p.field}: ${describeHostFileProblem(p)}`) };
    const plan = planScratch(resolved.options.layerFolders, uvmFolder);
    const doc = buildComputeSystemDocument({
        options: resolved.options,
        computeSystemId: resolved.options.computeSystemId ?? randomUUID(),
        uvmFolder,
        scratchPath: plan.scratchPath,
    });
    return { document: marshalDocument(doc), errors: [] };
}

/** The `.ts` files under a source path (a file or a folder). */
function sourceFiles(target: string): string[] {
    if (!fs.statSync(target).isDirectory()) return [target];
    return fs.readdirSync(target).flatMap((name) => sourceFiles(path.join(target, name))).filter((f) => f.endsWith(".ts"));
}

/** Sources whose compiled `.js` under provider/dist is missing or older than the source. */
function staleSources(): string[] {
    return RENDER_SOURCES.flatMap((source) => sourceFiles(path.join(REPO, source))).filter((file) => {
        const built = path.join(REPO, "provider", "dist", path.relative(path.join(REPO, "provider"), file)).replace(/\.ts$/, ".js");
        return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(file).mtimeMs;
    });
}

describe("golden vectors through the library", () => {
    test.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
        materialize(root, c.files);
        const before = snapshotTree(root);
        const result = await renderWithLibrary(c);
        if (c.expect.errors !== undefined) {
            expect(result.document).toBeUndefined();
            for (const text of c.expect.errors) expect(result.errors.join("\n")).toContain(text);
        } else {
            expect(result.errors).toEqual([]);
            expect(JSON.parse(result.document!)).toEqual(c.expect.document);
            expect(result.document).toBe(compact(c.expect.document));
            byteMatches.library++;
        }
        expect(snapshotTree(root)).toEqual(before);
    });
});

describe("golden vectors through `pulumi-hcs render`", () => {
    beforeAll(() => {
        if (!fs.existsSync(BUILT_RENDER)) {
            throw new Error(`${BUILT_RENDER} is missing: build first with \`npx tsc -b provider\``);
        }
        const stale = staleSources().map((file) => path.relative(REPO, file));
        if (stale.length > 0) throw new Error(`the built CLI is older than ${stale.join(", ")}: rebuild with \`npx tsc -b provider\``);
    });

    test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        materialize(root, c.files);
        const argsFile = path.join(scratch, "args.json");
        fs.writeFileSync(argsFile, JSON.stringify(c.args));
        const before = snapshotTree(root);

        const run = spawnSync(
            process.execPath,
            [
                CLI, "render", "--args", argsFile, "--root", root, "--logical-processors", String(c.host.logicalProcessors), "--build", String(c.host.build),
                "--creator-processors", String(c.host.creatorProcessors),
            ],
            { encoding: "utf8", timeout: 20_000 },
        );

        if (c.expect.errors !== undefined) {
            expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
            for (const text of c.expect.errors) expect(run.stderr).toContain(text);
        } else {
            expect({ status: run.status, stderr: run.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("{")) }).toEqual({ status: 0, stderr: [] });
            expect(JSON.parse(run.stdout)).toEqual(c.expect.document);
            expect(run.stdout).toBe(`${compact(c.expect.document)}\n`);
            byteMatches.cli++;
        }
        expect(snapshotTree(root)).toEqual(before);
    });
});
