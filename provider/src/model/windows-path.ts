import { findBadCharacter, describeBadCharacter, quote } from "./characters";
import { invalidNameCharacter, reservedDeviceName } from "./windows-name";

/**
 * Windows paths on the target host, checked and normalized the same way whatever OS runs the
 * provider (DESIGN §3.6). Only absolute drive paths (`C:\…`) are accepted: layer folders, scratch and
 * dump paths end up in CopyFileW calls and the HCS document, where a relative, UNC or device path
 * would mean something different on the host than in the program.
 *
 * We do not delegate to `path.win32`: it accepts UNC and device paths, resolves `..` above the root by
 * clamping (`C:\..\a` becomes `C:\a`), and knows nothing about reserved names or trailing dots.
 */

/**
 * The longest normalized path we accept: 259 characters, which is Win32's MAX_PATH (260) minus the
 * terminating NUL. hcsshim passes paths to CopyFileW and HCS without the `\\?\` long-path prefix, and
 * long-path support depends on a machine-wide registry switch, so a longer path may work on one host
 * and fail on another. Refusing it at check time gives one answer everywhere.
 */
export const MAX_WINDOWS_PATH_LENGTH = 259;

/** The outcome of {@link parseWindowsPath}. */
export type WindowsPathParse =
    | { readonly ok: true; readonly path: string }
    | { readonly ok: false; readonly reason: string };

const EXAMPLE = "C:\\layers\\base";

/**
 * Checks and normalizes an absolute Windows drive path.
 *
 * Accepts `C:\a\b` and `C:/a/b`. Normalization is Go's `filepath.Clean` on Windows, which hcsshim's
 * `filepath.Join` applies to every path it puts in the document: separators become `\`, repeated
 * separators collapse, `.` components are dropped and `..` removes the previous component, a trailing
 * separator is dropped (except for a drive root, `C:\`). Everything keeps its case, the drive letter
 * too (`c:\layers\base` stays lower-case, as hcsshim sends it): Windows compares names
 * case-insensitively but stores them as written, so the user's spelling is what HCS and the outputs
 * show (use {@link windowsPathKey} to compare paths).
 *
 * Rejected, each with its own reason: empty; NUL, control characters or unpaired surrogates; relative
 * paths (`a\b`, `.\a`); drive-relative paths (`C:a`); paths rooted without a drive (`\a`); UNC paths
 * (`\\server\share`); device and namespace paths (`\\.\`, `\\?\`, `\??\`); `..` that climbs above the
 * drive root; the characters `< > : " | ? *` in a name; reserved device names (`CON`, `NUL`, `COM1`,
 * `lpt1.txt`, …); names ending in a space or a dot (Windows strips those, so `a.` and `a` would be
 * the same folder); and results longer than {@link MAX_WINDOWS_PATH_LENGTH}.
 *
 * Every component is checked, including one a later `..` removes, so a path is never accepted only
 * because its bad part cancels out.
 */
export function parseWindowsPath(input: string): WindowsPathParse {
    const fail = (reason: string): WindowsPathParse => ({ ok: false, reason });
    if (input.length === 0) return fail(`the path is empty; give an absolute path like ${EXAMPLE}`);
    const bad = findBadCharacter(input, { controls: true });
    if (bad !== undefined) return fail(describeBadCharacter(bad));

    const text = input.replace(/\//g, "\\");
    if (/^\\\\[.?](\\|$)/.test(text) || /^\\\?\?(\\|$)/.test(text)) {
        const plain = /^\\(?:\\[.?]|\?\?)\\([A-Za-z]:\\.*)$/.exec(text)?.[1];
        const fix = plain !== undefined ? `write the plain drive path ${quote(plain)}` : `use a drive path like ${EXAMPLE}`;
        return fail(`device and namespace paths (\\\\.\\, \\\\?\\, \\??\\) are not supported; ${fix}`);
    }
    if (text.startsWith("\\\\")) {
        return fail(`UNC paths (\\\\server\\share\\…) are not supported: HCS and the scratch copy need a local drive path; use a path like ${EXAMPLE}`);
    }
    const drive = /^([A-Za-z]):/.exec(text)?.[1];
    if (drive === undefined) {
        if (text.startsWith("\\")) {
            return fail(`it is rooted without a drive letter, so it would depend on the current drive; add the drive, like ${quote(`C:${text}`)}`);
        }
        return fail(`it is relative; write the full path starting with a drive letter, like ${EXAMPLE}`);
    }
    if (text.length === 2 || text[2] !== "\\") {
        return fail(
            `${quote(text.slice(0, 2))} without a separator after it is relative to the current folder of drive ${drive.toUpperCase()}; ` +
                `write ${quote(`${drive.toUpperCase()}:\\${text.slice(2)}`)}`,
        );
    }

    const kept: string[] = [];
    for (const name of text.slice(3).split("\\")) {
        if (name === "" || name === ".") continue;
        if (name === "..") {
            if (kept.length === 0) {
                return fail(`a ".." component climbs above the drive root ${drive.toUpperCase()}:\\; remove the extra ".."`);
            }
            kept.pop();
            continue;
        }
        const problem = checkName(name);
        if (problem !== undefined) return fail(problem);
        kept.push(name);
    }
    const path = `${drive}:\\${kept.join("\\")}`;
    if (path.length > MAX_WINDOWS_PATH_LENGTH) {
        return fail(
            `it is ${path.length} characters long after normalization, over the limit of ${MAX_WINDOWS_PATH_LENGTH} ` +
                `(MAX_PATH 260 including the terminating NUL; CopyFileW and HCS get paths without the \\\\?\\ long-path prefix); choose a shorter path`,
        );
    }
    return { ok: true, path };
}

/** Why one path component (not `.` or `..`) is unusable as a Windows file name, or undefined. */
function checkName(name: string): string | undefined {
    const invalid = invalidNameCharacter(name);
    if (invalid !== undefined) {
        return `the name ${quote(name)} contains '${invalid}', which Windows does not allow in file names (< > : " | ? *); rename it`;
    }
    if (name.endsWith(".") || name.endsWith(" ")) {
        const what = name.endsWith(".") ? "a dot" : "a space";
        const stripped = name.replace(/[. ]+$/, "");
        return (
            `the name ${quote(name)} ends with ${what}, which Windows silently strips, so it would name the same folder as ` +
            `${quote(stripped)}; remove the trailing ${name.endsWith(".") ? "dot" : "space"}`
        );
    }
    const device = reservedDeviceName(name);
    if (device !== undefined) {
        return `the name ${quote(name)} is the reserved device name ${device}, which Windows opens as a device, not a file or folder; choose another name`;
    }
    return undefined;
}

/**
 * Normalizes an absolute Windows drive path.
 *
 * @throws {RangeError} with the reason from {@link parseWindowsPath} when the path is not usable.
 */
export function normalizeWindowsPath(input: string): string {
    const parsed = parseWindowsPath(input);
    if (!parsed.ok) throw new RangeError(`Cannot use ${quote(input)} as a Windows path: ${parsed.reason}`);
    return parsed.path;
}

/** Whether `path` is an absolute Windows drive path already in normalized form. */
export function isNormalizedWindowsPath(path: string): boolean {
    const parsed = parseWindowsPath(path);
    return parsed.ok && parsed.path === path;
}

/**
 * Appends names to a normalized Windows path with one `\` between parts (none doubled after a drive
 * root). Like Go's `filepath.Join`, which hcsshim uses for these joins.
 *
 * @throws {TypeError} when a name is empty, `.`/`..`, or contains a separator; join paths, not names.
 */
export function joinWindowsPath(base: string, ...names: string[]): string {
    for (const name of names) {
        if (name === "" || name === "." || name === ".." || /[\\/]/.test(name)) {
            throw new TypeError(`Cannot join ${quote(name)} to a Windows path: each part must be one plain name`);
        }
    }
    if (names.length === 0) return base;
    return base.endsWith("\\") ? `${base}${names.join("\\")}` : `${base}\\${names.join("\\")}`;
}

/** The folder holding a normalized Windows path: `C:\a\b` → `C:\a`, `C:\a` → `C:\` (a drive root is its own). */
export function parentWindowsPath(path: string): string {
    const cut = path.lastIndexOf("\\");
    return cut <= 2 ? path.slice(0, 3) : path.slice(0, cut);
}

/**
 * The key two normalized paths share when Windows would treat them as the same path: each character
 * upper-cased with a one-to-one mapping. NTFS compares names through its `$UpCase` table, a simple
 * (one character to one character) upper-case mapping; JavaScript's `toUpperCase` uses full mappings
 * (`ß` becomes `SS`), so characters whose upper case is longer are kept as they are.
 */
export function windowsPathKey(path: string): string {
    let key = "";
    for (const ch of path) {
        const upper = ch.toUpperCase();
        key += [...upper].length === 1 ? upper : ch;
    }
    return key;
}
