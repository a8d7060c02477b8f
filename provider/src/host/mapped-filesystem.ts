import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { windowsPathKey } from "../model/windows-path";
import { errorCode } from "./filesystem";
import { NodeFileSystem } from "./local-filesystem";
import { confine, mappedDriveRoot, splitWindowsPath } from "./windows-path-mapping";

/**
 * A simulated host's file system: Windows paths live under a directory, `C:\a\b` at
 * `<root>/fs/c/a/b` (DESIGN §5), with the drive letter lower-cased.
 *
 * Case: Windows looks names up case-insensitively, so `C:\Layers\Base` opens `C:\layers\base`.
 * To behave the same on a case-sensitive disk, each name is looked up as spelled and, when that does
 * not exist, matched case-insensitively against the folder's entries (the first match in sorted order,
 * should a case-sensitive disk hold several). A name that does not exist yet is created as spelled.
 *
 * Only normalized absolute drive paths are accepted, so no input can reach outside `<root>/fs`.
 * Symbolic links under the root are followed; the root belongs to the simulator and tests.
 *
 * Drives: `mkdirs` creates `<root>/fs/<drive>` when missing (a drive always exists on a host) and
 * does not report it as created; `stat` reports what is on disk.
 */
export class MappedFileSystem extends NodeFileSystem {
    /** The absolute root directory; Windows paths live under `<root>/fs`. */
    readonly root: string;

    constructor(root: string) {
        super();
        this.root = path.resolve(root);
    }

    protected async nativePath(windowsPath: string): Promise<string> {
        const { drive, names } = splitWindowsPath(windowsPath);
        const driveRoot = mappedDriveRoot(this.root, drive);
        // Names that exist as spelled are their own on-disk spelling, and a path that exists says so
        // for each of its names: one lstat of the deepest existing prefix stands for one per name
        // (create and delete touch paths 3 to 5 names deep; bench/README.md). Below it, each name
        // is looked up as it always was.
        const spelled = await this.existingPrefixLength(driveRoot, names);
        let current = path.join(driveRoot, ...names.slice(0, spelled));
        for (const name of names.slice(spelled)) current = path.join(current, await this.entryName(current, name));
        return confine(driveRoot, current, windowsPath);
    }

    protected override async prepareDrive(drive: string): Promise<void> {
        await fsp.mkdir(mappedDriveRoot(this.root, drive), { recursive: true });
    }

    /** How many leading `names` exist as spelled: the longest prefix that exists, tried longest first. */
    private async existingPrefixLength(driveRoot: string, names: readonly string[]): Promise<number> {
        for (let count = names.length; count > 0; count--) {
            try {
                await fsp.lstat(path.join(driveRoot, ...names.slice(0, count)));
                return count;
            } catch {
                // missing (or not reachable): try the parent
            }
        }
        return 0;
    }

    /** The on-disk spelling of `name` inside `folder`: as given if it exists, else a case-insensitive match. */
    private async entryName(folder: string, name: string): Promise<string> {
        try {
            await fsp.lstat(path.join(folder, name));
            return name;
        } catch (err) {
            if (errorCode(err) !== "ENOENT") return name; // let the operation itself report it
        }
        let entries: string[];
        try {
            entries = await fsp.readdir(folder);
        } catch {
            return name;
        }
        const key = windowsPathKey(name);
        return entries.filter((entry) => windowsPathKey(entry) === key).sort()[0] ?? name;
    }
}
