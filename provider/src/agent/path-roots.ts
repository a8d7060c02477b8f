import * as path from "node:path";
import type { HostFileSystem } from "../host/filesystem";
import type { ResolvedOptions } from "../model/resolved-options";

/**
 * The folders an agent lets its clients name. A client holding the operator role may create VMs, but
 * must not make the agent (which runs as SYSTEM, since only SYSTEM and Administrators may bind the
 * GCS's Hyper-V socket) copy, grant or delete files elsewhere on the host.
 */
export interface PathRoots {
    /** Read-only image layers (every layer folder but the last). */
    readonly layers: readonly string[];
    /** Scratch folders (the last layer folder), which the agent creates and removes files in. */
    readonly scratch: readonly string[];
    /** Dump directories (dumpDirectoryPath), which the agent grants the VM's group. */
    readonly dumps: readonly string[];
}

export type RootKind = keyof PathRoots;

/** A path a client named that the agent refuses, and why: shown to the client and audited. */
export interface PathRootViolation {
    readonly field: string;
    readonly path: string;
    readonly reason: string;
}

/**
 * Checks a root given on the agent's command line: an absolute drive path (`C:\layers`), normalized.
 * @throws Error naming the flag and the rule.
 */
export function normalizeRoot(flag: string, root: string): string {
    const problem = pathProblem(root);
    if (problem !== undefined) throw new Error(`${flag} ${JSON.stringify(root)}: ${problem}`);
    return trimSeparator(path.win32.normalize(root));
}

/**
 * The paths in `options` that lie outside the agent's roots: written with `..`, as device or UNC
 * paths, not under a root of their kind, or under one only until a link or junction is followed
 * (looked at only with the host's file system: a client checking at preview goes by the text).
 */
export async function pathRootViolations(options: Pick<ResolvedOptions, "layerFolders" | "dumpDirectoryPath">, roots: PathRoots, fs?: HostFileSystem): Promise<PathRootViolation[]> {
    const wanted: { field: string; path: string; kind: RootKind }[] = options.layerFolders.map((folder, index) => ({
        field: `layerFolders[${index}]`,
        path: folder,
        kind: index === options.layerFolders.length - 1 ? "scratch" : "layers",
    }));
    if (options.dumpDirectoryPath !== undefined) wanted.push({ field: "dumpDirectoryPath", path: options.dumpDirectoryPath, kind: "dumps" });
    const violations: PathRootViolation[] = [];
    for (const { field, path: candidate, kind } of wanted) {
        const reason = await rootProblem(candidate, roots[kind], kind, fs);
        if (reason !== undefined) violations.push({ field, path: candidate, reason });
    }
    return violations;
}

async function rootProblem(candidate: string, roots: readonly string[], kind: RootKind, fs: HostFileSystem | undefined): Promise<string | undefined> {
    const problem = pathProblem(candidate);
    if (problem !== undefined) return problem;
    const flag = `--${kind === "layers" ? "layer" : kind === "scratch" ? "scratch" : "dump"}-root`;
    if (roots.length === 0) return `this agent accepts no ${kind} folders (it was started without ${flag})`;
    const normalized = trimSeparator(path.win32.normalize(candidate));
    const under = roots.filter((root) => isUnder(normalized, root));
    if (under.length === 0) return `it is not under the agent's ${kind} roots (${roots.join(", ")})`;
    if (fs === undefined) return undefined;
    for (const root of under) {
        if (await fs.isInside(normalized, root)) return undefined;
    }
    return `it is under ${under[0]} only as written: a link or junction in it leads outside the agent's ${kind} roots`;
}

/** Why a path is not a plain absolute drive path, or undefined when it is one. */
function pathProblem(candidate: string): string | undefined {
    if (/^[\\/]{2}[?.][\\/]/.test(candidate)) return "device paths (\\\\?\\, \\\\.\\) are not accepted";
    if (/^[\\/]{2}/.test(candidate)) return "UNC paths (\\\\server\\share) are not accepted";
    if (!/^[A-Za-z]:[\\/]/.test(candidate)) return "it is not an absolute drive path like C:\\folder";
    if (candidate.split(/[\\/]/).some((name) => name === "..")) return "it contains a '..' step";
    if (candidate.slice(2).includes(":")) return "it names an alternate data stream (':')";
    return undefined;
}

/** `candidate` is `root` or inside it, compared as Windows compares names (case-insensitively). */
function isUnder(candidate: string, root: string): boolean {
    const c = candidate.toLowerCase();
    const r = root.toLowerCase();
    return c === r || c.startsWith(r.endsWith("\\") ? r : `${r}\\`);
}

function trimSeparator(folder: string): string {
    return folder.length > 3 && folder.endsWith("\\") ? folder.slice(0, -1) : folder;
}
