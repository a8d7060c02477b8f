/**
 * Where the simulator keeps the files a Windows path names: `C:\a\b` → `<root>/fs/c/a/b`. The drive
 * letter is lower-cased; every other name keeps its case. The provider's MappedFileSystem maps the
 * same way (docs/simulator.md states the rule; both sides must agree).
 *
 * Unlike NTFS, the mapped tree is case-sensitive: `C:\Layers` and `C:\layers` are different folders.
 */
import * as path from "node:path";
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
 * Maps a Windows path under `root`.
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
    return { windows: result.windows, local: localPathOf(root, result.windows) };
}

/** `<root>/fs/<drive>/<names...>` for a normalized Windows path. */
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
