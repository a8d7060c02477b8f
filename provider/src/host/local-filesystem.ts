import { randomBytes } from "node:crypto";
import fs, { promises as fsp } from "node:fs";
import * as nodePath from "node:path";
import { joinWindowsPath } from "../model/windows-path";
import { isWindows } from "../platform";
import { HostFileSystemError, errorCode, type HostFileSystem } from "./filesystem";
import { splitWindowsPath } from "./windows-path-mapping";

/** How often mkdirs walks again after a parent folder vanished under it. */
const MKDIRS_ATTEMPTS = 3;

/**
 * {@link HostFileSystem} on Node's `fs`, for a host whose Windows paths map to native paths through
 * {@link NodeFileSystem.nativePath}. Every operation first checks that its path is a normalized
 * absolute Windows path, so no relative, UNC or device path reaches `fs`.
 *
 * Looking is synchronous underneath (stat, listing a folder, reading a marker of a few hundred
 * bytes): microseconds on a local disk, where the promise forms take one to four trips through
 * libuv's four-thread pool each (readFile: open, fstat, read, close), shared with the HCS calls, and
 * with eight VMs deleted at once queued behind them (a delete waited longer on them than on HCS).
 * Changing stays asynchronous (mkdir, writing a marker, link, unlink, rmdir, copyFile): those wait on
 * the disk's journal (a millisecond each here), which the pool overlaps with the event loop's work.
 */
export abstract class NodeFileSystem implements HostFileSystem {
    /**
     * The native path for a normalized Windows path.
     *
     * @throws {RangeError} when `windowsPath` is not a normalized absolute drive path.
     */
    protected abstract nativePath(windowsPath: string): Promise<string>;

    /** Makes a drive's root usable before `mkdirs` walks down from it. */
    protected async prepareDrive(_drive: string): Promise<void> {}

    async stat(path: string): Promise<{ readonly kind: "file" | "directory" } | undefined> {
        const native = await this.nativePath(path);
        try {
            const stats = fs.statSync(native);
            return { kind: stats.isDirectory() ? "directory" : "file" };
        } catch (err) {
            const code = errorCode(err);
            if (code === "ENOENT" || code === "ENOTDIR") return undefined;
            throw new HostFileSystemError("stat", path, { cause: err });
        }
    }

    async isDirectory(path: string): Promise<boolean> {
        return (await this.stat(path))?.kind === "directory";
    }

    async isInside(path: string, folder: string): Promise<boolean> {
        const [real, realFolder] = await Promise.all([realNativePath(await this.nativePath(path)), realNativePath(await this.nativePath(folder))]);
        const relative = nodePath.relative(realFolder, real);
        return relative === "" || (!relative.startsWith("..") && !nodePath.isAbsolute(relative));
    }

    async mkdirs(path: string): Promise<string[]> {
        const { drive, names } = splitWindowsPath(path);
        await this.prepareDrive(drive);
        const created: string[] = [];
        try {
            // A sibling VM's delete may remove a parent folder of ours (it was empty but for its
            // marker) between our look and our mkdir: walk again from the drive, a few times.
            for (let attempt = 1; ; attempt++) {
                try {
                    // The drive as the path spells it, so the folders reported keep the path's spelling.
                    await this.walkCreating(path.slice(0, 3), names, path, created);
                    return created;
                } catch (err) {
                    if (!(err instanceof HostFileSystemError) || err.code !== "ENOENT" || attempt >= MKDIRS_ATTEMPTS) throw err;
                }
            }
        } catch (err) {
            // The caller gets no list on failure, so undo our own part here.
            for (const folder of [...created].reverse()) {
                await this.removeEmptyDirectory(folder).catch(() => false);
            }
            throw err;
        }
    }

    /** Creates each missing folder of `names` under `root`, recording the ones it made in `created`. */
    private async walkCreating(root: string, names: readonly string[], path: string, created: string[]): Promise<void> {
        let current = root;
        for (const name of names) {
            current = joinWindowsPath(current, name);
            const existing = await this.stat(current);
            if (existing?.kind === "directory") continue;
            if (existing?.kind === "file") {
                throw new HostFileSystemError("mkdirs", path, { reason: `${current} is a file, not a folder` });
            }
            try {
                await fsp.mkdir(await this.nativePath(current));
                if (!created.includes(current)) created.push(current);
            } catch (err) {
                // Someone else made it between our stat and mkdir: fine, but it is not ours to remove.
                if (errorCode(err) === "EEXIST" && (await this.isDirectory(current))) continue;
                throw new HostFileSystemError("mkdirs", current, { cause: err });
            }
        }
    }

    async copyFile(source: string, destination: string): Promise<void> {
        const from = await this.nativePath(source);
        const to = await this.nativePath(destination);
        try {
            await fsp.copyFile(from, to);
        } catch (err) {
            throw new HostFileSystemError("copyFile", source, { cause: err, destination });
        }
    }

    async removeFile(path: string): Promise<void> {
        const native = await this.nativePath(path);
        try {
            await fsp.unlink(native);
        } catch (err) {
            if (errorCode(err) === "ENOENT") return;
            throw new HostFileSystemError("removeFile", path, { cause: err });
        }
    }

    async removeEmptyDirectory(path: string): Promise<boolean> {
        const native = await this.nativePath(path);
        try {
            await fsp.rmdir(native);
            return true;
        } catch (err) {
            const code = errorCode(err);
            if (code === "ENOENT" && (await isNonDirectory(native))) {
                // Windows: RemoveDirectoryW on a file fails with ERROR_DIRECTORY, which libuv reports as
                // ENOENT, so "missing" would hide a file where the caller expects a folder (issue 6).
                // Report it as Linux does.
                throw new HostFileSystemError("removeEmptyDirectory", path, {
                    cause: Object.assign(new Error(`ENOTDIR: not a directory, rmdir '${native}'`), { code: "ENOTDIR", syscall: "rmdir", path: native }),
                });
            }
            if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOENT") return false;
            throw new HostFileSystemError("removeEmptyDirectory", path, { cause: err });
        }
    }

    async readText(path: string): Promise<string | undefined> {
        const native = await this.nativePath(path);
        try {
            return fs.readFileSync(native, "utf8");
        } catch (err) {
            const code = errorCode(err);
            if (code === "ENOENT" || code === "ENOTDIR") return undefined;
            throw new HostFileSystemError("readText", path, { cause: err });
        }
    }

    async listNames(path: string): Promise<string[] | undefined> {
        const native = await this.nativePath(path);
        try {
            return fs.readdirSync(native);
        } catch (err) {
            if (errorCode(err) === "ENOENT") return undefined;
            throw new HostFileSystemError("listNames", path, { cause: err });
        }
    }

    async writeText(path: string, text: string): Promise<void> {
        const native = await this.nativePath(path);
        // Whole or not at all: written beside, then renamed over (MoveFileEx with REPLACE_EXISTING on
        // Windows), so a process killed mid-write never leaves a half-written marker.
        const temporary = temporaryPathFor(native);
        try {
            await fsp.writeFile(temporary, text, "utf8");
            await fsp.rename(temporary, native);
        } catch (err) {
            await fsp.unlink(temporary).catch(() => undefined);
            throw new HostFileSystemError("writeText", path, { cause: err });
        }
    }

    async createTextExclusive(path: string, text: string): Promise<boolean> {
        const native = await this.nativePath(path);
        // Written beside, then hard-linked into place: link() fails with EEXIST when the name exists
        // (CreateHardLinkW on Windows), so the check and the create are one step, and the file is
        // whole from the moment anyone can see it (an O_EXCL create would show it empty first).
        const temporary = temporaryPathFor(native);
        try {
            await fsp.writeFile(temporary, text, { encoding: "utf8", flag: "wx" });
            await fsp.link(temporary, native);
            return true;
        } catch (err) {
            if (errorCode(err) === "EEXIST") return false;
            throw new HostFileSystemError("createTextExclusive", path, { cause: err });
        } finally {
            await fsp.unlink(temporary).catch(() => undefined);
        }
    }
}

/**
 * A unique name beside `native` for a file being written: `<name>.<pid>-<random>.tmp`. A process
 * killed between the write and the rename leaves one behind; `isTemporaryName` (filesystem.ts)
 * lets the owner's cleanup recognise it.
 */
function temporaryPathFor(native: string): string {
    return `${native}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
}


/**
 * This Windows machine's file system: Node's `fs` with the Windows path as is (Node adds the `\\?\`
 * prefix for long paths itself). Meaningful only when the provider runs on Windows.
 */
export class LocalFileSystem extends NodeFileSystem {
    /** @throws {Error} when not running on Windows, where `C:\…` would be a relative file name. */
    constructor() {
        super();
        if (!isWindows) {
            throw new Error(
                "Cannot use the local host's file system off Windows: C:\\… paths only mean something on Windows; use a simulated host (sim:<socket>) here",
            );
        }
    }

    protected async nativePath(windowsPath: string): Promise<string> {
        splitWindowsPath(windowsPath);
        return windowsPath;
    }
}

/** Whether something other than a directory (a file, a link) is at `native`. */
async function isNonDirectory(native: string): Promise<boolean> {
    try {
        return !fs.lstatSync(native).isDirectory();
    } catch {
        return false;
    }
}

/**
 * `native` with every link among its existing parts followed: the real path of its deepest existing
 * ancestor, joined with the names below that do not exist (yet).
 */
async function realNativePath(native: string): Promise<string> {
    const missing: string[] = [];
    let current = native;
    for (;;) {
        try {
            return nodePath.join(await fsp.realpath(current), ...missing.reverse());
        } catch (err) {
            const parent = nodePath.dirname(current);
            if ((errorCode(err) !== "ENOENT" && errorCode(err) !== "ENOTDIR") || parent === current) throw err;
            missing.push(nodePath.basename(current));
            current = parent;
        }
    }
}
