import fs, { promises as fsp } from "node:fs";
import * as path from "node:path";
import { windowsPathKey } from "../model/windows-path";
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
 *
 * The name lookups are synchronous: the root is a local folder of the simulator's, where an lstat
 * takes microseconds, and each asynchronous one cost a thread-pool round trip, a promise and, for a
 * name that is not there, a thrown error with its stack: a third of the provider's CPU in a
 * 100-VM `up` (bench --profile). The operations themselves stay asynchronous.
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
        const spelled = existingPrefixLength(driveRoot, names);
        let current = path.join(driveRoot, ...names.slice(0, spelled));
        for (const name of names.slice(spelled)) current = path.join(current, entryName(current, name));
        return confine(driveRoot, current, windowsPath);
    }

    /**
     * One exclusive create per path at a time in this process. A name resolves to its on-disk
     * spelling before the create, so two spellings of a new file racing here would each get their
     * own new name, where NTFS has one; queued, the second finds the first's file and loses.
     */
    override createTextExclusive(windowsPath: string, text: string): Promise<boolean> {
        const key = windowsPathKey(windowsPath);
        const mine = (this.exclusiveCreates.get(key) ?? Promise.resolve()).then(() => super.createTextExclusive(windowsPath, text));
        const settled = mine.then(() => undefined, () => undefined);
        this.exclusiveCreates.set(key, settled);
        void settled.then(() => {
            if (this.exclusiveCreates.get(key) === settled) this.exclusiveCreates.delete(key);
        });
        return mine;
    }

    private readonly exclusiveCreates = new Map<string, Promise<void>>();

    protected override async prepareDrive(drive: string): Promise<void> {
        await fsp.mkdir(mappedDriveRoot(this.root, drive), { recursive: true });
    }
}

/** How many leading `names` exist as spelled: the longest prefix that exists, tried longest first. */
function existingPrefixLength(driveRoot: string, names: readonly string[]): number {
    for (let count = names.length; count > 0; count--) {
        if (exists(path.join(driveRoot, ...names.slice(0, count)))) return count;
    }
    return 0;
}

/** The on-disk spelling of `name` inside `folder`: as given if it exists, else a case-insensitive match. */
function entryName(folder: string, name: string): string {
    const full = path.join(folder, name);
    try {
        if (fs.lstatSync(full, { throwIfNoEntry: false }) !== undefined) return name;
    } catch {
        return name; // not ENOENT (a file where a folder should be, say): let the operation itself report it
    }
    let entries: string[];
    try {
        entries = fs.readdirSync(folder);
    } catch {
        return name;
    }
    const key = windowsPathKey(name);
    return entries.filter((entry) => windowsPathKey(entry) === key).sort()[0] ?? name;
}

/** Whether something is at `file` (without following a final symbolic link); unreachable reads as missing. */
function exists(file: string): boolean {
    try {
        return fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
    } catch {
        return false;
    }
}
