import * as path from "node:path";
import { isNormalizedWindowsPath } from "../model/windows-path";

/** A normalized Windows path cut into its drive letter (lower case) and names. */
export interface WindowsPathParts {
    readonly drive: string;
    readonly names: readonly string[];
}

/**
 * Splits a normalized absolute Windows path (`C:\a\b` → drive `c`, names `a`, `b`).
 *
 * @throws {RangeError} when the path is not a normalized absolute drive path, so nothing relative,
 *   `..`, UNC or device-like can reach a mapping.
 */
export function splitWindowsPath(windowsPath: string): WindowsPathParts {
    if (!isNormalizedWindowsPath(windowsPath)) {
        throw new RangeError(
            `Cannot map ${JSON.stringify(windowsPath)} to the host: expected a normalized absolute Windows path like C:\\layers\\base`,
        );
    }
    const names = windowsPath.slice(3).split("\\").filter((n) => n !== "");
    return { drive: windowsPath.charAt(0).toLowerCase(), names };
}

/**
 * Where a Windows path lives under a simulated host's root, spelled exactly as given:
 * `C:\a\b` → `<root>/fs/c/a/b` (DESIGN §5). The drive letter is lower-cased; names keep their case.
 *
 * @throws {RangeError} as {@link splitWindowsPath}, or if the result would leave `<root>/fs/<drive>`.
 */
export function mapWindowsPath(root: string, windowsPath: string): string {
    const { drive, names } = splitWindowsPath(windowsPath);
    const driveRoot = mappedDriveRoot(root, drive);
    return confine(driveRoot, path.join(driveRoot, ...names), windowsPath);
}

/** `<root>/fs/<drive>` for a drive letter. */
export function mappedDriveRoot(root: string, drive: string): string {
    return path.join(path.resolve(root), "fs", drive.toLowerCase());
}

/**
 * Returns `native` after checking that it is `driveRoot` or inside it. Normalized Windows names
 * cannot contain `/`, `..` or NUL, so this never fails for them; it guards the mapping itself.
 *
 * @throws {RangeError} when `native` is outside `driveRoot`.
 */
export function confine(driveRoot: string, native: string, windowsPath: string): string {
    const relative = path.relative(driveRoot, native);
    if (relative.startsWith("..") || path.isAbsolute(relative)) {
        throw new RangeError(`Cannot map ${JSON.stringify(windowsPath)} to the host: it would leave ${driveRoot}`);
    }
    return native;
}
