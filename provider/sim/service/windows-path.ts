/**
 * Where the simulator keeps the files a Windows path names: `C:\a\b` → `<root>/fs/c/a/b`. The drive
 * letter is lower-cased; every other name keeps its case. The provider's MappedFileSystem maps the
 * same way (docs/simulator.md states the rule; both sides must agree).
 *
 * Like NTFS, lookups are case-insensitive and case-preserving: `C:\Layers\Base` finds the folder
 * created as `C:\layers\base` (resolveLocalPath), and a name that does not exist yet is created as
 * spelled.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { windowsPathKey } from "../../src/model/windows-path";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";

export interface MappedPath {
    /** The path as HCS would use it, normalized (`C:\a\b`, no trailing separator). */
    readonly windows: string;
    /** Where it lives on this machine. */
    readonly local: string;
}

/**
 * Normalizes an absolute Windows drive path (`C:\x`, `c:/x`, `\\?\C:\x`), or returns a reason it is
 * not one the simulator can map.
 */
export function normalizeWindowsPath(input: string): { windows: string } | { reason: string } {
    if (input.includes("\0")) return { reason: "it contains a NUL character" };
    let p = input.replace(/\//g, "\\");
    if (p.startsWith("\\\\?\\") && /^[A-Za-z]:\\/.test(p.slice(4))) p = p.slice(4);
    if (p.startsWith("\\\\")) {
        return { reason: "UNC and device paths (\\\\server\\share, \\\\.\\, \\\\?\\) are not supported by the simulator" };
    }
    if (!/^[A-Za-z]:\\/.test(p)) return { reason: "it is not an absolute drive path like C:\\dir\\file" };
    const normalized = path.win32.normalize(p);
    const trimmed = normalized.length > 3 && normalized.endsWith("\\") ? normalized.slice(0, -1) : normalized;
    return { windows: trimmed.charAt(0).toUpperCase() + trimmed.slice(1) };
}

/**
 * Maps a Windows path under `root`, looking each name up as NTFS would (resolveLocalPath).
 * @throws {HcsFailure} E_INVALIDARG (or ERROR_NOT_SUPPORTED for UNC/device paths) naming `field`.
 */
export function mapWindowsPath(root: string, input: string, field: string): MappedPath {
    const result = normalizeWindowsPath(input);
    if ("reason" in result) {
        const unsupported = result.reason.startsWith("UNC");
        throw new HcsFailure(
            unsupported ? HR.NOT_SUPPORTED : HR.E_INVALIDARG,
            `${field}: cannot use path ${JSON.stringify(input)}: ${result.reason}`,
            undefined,
            unsupported ? EVENT_IDS.notSupported : EVENT_IDS.invalidArgument,
        );
    }
    return { windows: result.windows, local: resolveLocalPath(root, result.windows) };
}

/**
 * `<root>/fs/<drive>/<names...>` for a normalized Windows path, spelled exactly as given (no lookup:
 * see resolveLocalPath for the file a path names).
 */
export function localPathOf(root: string, windows: string): string {
    const drive = windows.charAt(0).toLowerCase();
    const names = windows.slice(3).split("\\").filter((n) => n !== "" && n !== ".");
    const driveRoot = path.join(path.resolve(root), "fs", drive);
    const local = path.join(driveRoot, ...names);
    const rel = path.relative(driveRoot, local);
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
        throw new HcsFailure(HR.E_INVALIDARG, `Cannot map ${JSON.stringify(windows)}: it would leave ${driveRoot}`);
    }
    return local;
}

/**
 * The local path of the file or folder a normalized Windows path names, looked up as NTFS does:
 * case-insensitively, keeping the spelling on disk. Each name that does not exist as spelled is
 * matched against its folder's entries (windowsPathKey, NTFS's one-to-one upper-casing; the first
 * match in sorted order, should this case-sensitive disk hold several); from the first name with no
 * match on, the names keep their spelling, so a file created at the result is created as spelled.
 * The provider's MappedFileSystem resolves names the same way.
 * @throws {HcsFailure} E_INVALIDARG if the result would leave `<root>/fs/<drive>` (as localPathOf).
 */
export function resolveLocalPath(root: string, windows: string): string {
    const spelled = localPathOf(root, windows);
    // Most lookups name a path as it was created: one lstat answers them.
    if (exists(spelled)) return spelled;
    const driveRoot = path.join(path.resolve(root), "fs", windows.charAt(0).toLowerCase());
    const relative = path.relative(driveRoot, spelled);
    if (relative === "") return spelled;
    const names = relative.split(path.sep);
    let current = driveRoot;
    for (const [i, name] of names.entries()) {
        const next = path.join(current, name);
        if (exists(next)) {
            current = next;
            continue;
        }
        const match = entryMatching(current, name);
        if (match === undefined) return path.join(current, ...names.slice(i));
        current = path.join(current, match);
    }
    return current;
}

function exists(local: string): boolean {
    try {
        fs.lstatSync(local);
        return true;
    } catch {
        return false;
    }
}

/** The entry of `folder` whose name equals `name` case-insensitively, if any (none when `folder` is not a folder). */
function entryMatching(folder: string, name: string): string | undefined {
    let entries: string[];
    try {
        entries = fs.readdirSync(folder);
    } catch {
        return undefined;
    }
    const key = windowsPathKey(name);
    return entries.filter((entry) => windowsPathKey(entry) === key).sort()[0];
}
