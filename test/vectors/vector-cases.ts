// Helpers for the golden vectors (test/vectors/cases; their expectations come from hcsshim itself,
// written by scripts/test-parity.sh --write-fixtures).
import * as fs from "node:fs";
import * as path from "node:path";
import { mapWindowsPath } from "../../provider/src/host/windows-path-mapping";
import { normalizeWindowsPath } from "../../provider/src/model/windows-path";

/** The golden vectors: the team's cases, copied into the repository (test/vectors/cases). */
export const VECTORS_DIR = path.resolve(__dirname, "cases");

/** One `*.json` case (vectors/README.md). */
export interface VectorCase {
    readonly file: string;
    readonly name: string;
    readonly description: string;
    /**
     * The target host, and `creatorProcessors`: the CPUs in the affinity of the process that creates
     * the VM, which hcsshim's default processor count follows.
     */
    readonly host: { readonly logicalProcessors: number; readonly build: number; readonly creatorProcessors: number };
    readonly files: readonly string[];
    readonly args: Record<string, unknown>;
    readonly expect: { readonly document?: unknown; readonly errors?: readonly string[] };
}

/**
 * Every case in the vectors folder, sorted by file name.
 *
 * @throws {Error} when the folder is missing or holds no case: a silent zero-case run would pass.
 */
export function loadVectors(dir: string = VECTORS_DIR): VectorCase[] {
    if (!fs.existsSync(dir)) {
        throw new Error(`Golden vectors not found at ${dir}: they live in test/vectors/cases`);
    }
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
    if (files.length === 0) throw new Error(`No *.json vectors in ${dir}`);
    return files.map((file) => {
        const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Omit<VectorCase, "file">;
        if ((parsed.expect.document === undefined) === (parsed.expect.errors === undefined)) {
            throw new Error(`Vector ${file} must expect exactly one of a document or errors`);
        }
        return { file, ...parsed };
    });
}

/**
 * Creates a case's `files` under `root` with the simulator's mapping: a path ending in `\` is a
 * directory, anything else an empty file; parents are created as needed.
 */
export function materialize(root: string, files: readonly string[]): void {
    for (const entry of files) {
        const isDirectory = entry.endsWith("\\");
        const native = mapWindowsPath(root, normalizeWindowsPath(isDirectory ? entry.slice(0, -1) : entry));
        if (isDirectory) {
            fs.mkdirSync(native, { recursive: true });
        } else {
            fs.mkdirSync(path.dirname(native), { recursive: true });
            fs.writeFileSync(native, "");
        }
    }
}

/** Everything under `root` with kind, size and modification time, to prove nothing changed. */
export function snapshotTree(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
        for (const name of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, name);
            const stat = fs.lstatSync(full);
            out.push(`${path.relative(root, full)} ${stat.isDirectory() ? "dir" : "file"} ${stat.size} ${stat.mtimeMs}`);
            if (stat.isDirectory()) walk(full);
        }
    };
    walk(root);
    return out;
}
