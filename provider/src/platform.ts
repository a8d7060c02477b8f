import os from "node:os";

/**
 * The operating system this process runs on, and the one translation that depends on it. Every
 * other module asks here instead of reading `process.platform` (STYLE §7.4), so the Windows branch
 * is small enough to test under Wine in full.
 */
export const isWindows = process.platform === "win32";

/**
 * A directory the simulator service reports (always a POSIX path: the service runs on Linux) as
 * this process can open it. Under Wine, a Windows process sees the Linux file system as drive `Z:`.
 */
export function localPathOfServiceDirectory(posixPath: string): string {
    if (!isWindows || !posixPath.startsWith("/")) return posixPath;
    return `Z:${posixPath.replace(/\//g, "\\")}`;
}

/**
 * The Windows build number of this machine (`10.0.20348` → 20348), as hcsshim's `osversion.Build()`
 * reads it. Only meaningful on Windows.
 */
export function windowsBuildNumber(release: string = os.release()): number {
    const build = Number(release.split(".")[2]);
    if (!Number.isInteger(build)) throw new Error(`Cannot read the Windows build number from os.release() '${release}'`);
    return build;
}
