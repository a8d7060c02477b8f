/**
 * Which file a path names, independent of the path's spelling: its device, inode and birth time.
 * Grants (an ACL belongs to the file) and exclusive disk opens (a sharing mode belongs to the open
 * file) are keyed by it, so `C:\UVMS\Shared\sandbox.vhdx` and `c:\uvms\shared\SANDBOX.VHDX` are one file,
 * as on NTFS. The birth time is part of it because file systems reuse a freed inode number at once:
 * the inode alone cannot tell a new file at the same path from the old one.
 */
import type * as fs from "node:fs";

export interface FileIdentity {
    readonly ino: number;
    readonly dev: number;
    /** Birth time (ms); absent in grants recorded before birth times were kept. */
    readonly born?: number;
}

export function fileIdentity(st: fs.Stats): FileIdentity {
    return { ino: st.ino, dev: st.dev, born: st.birthtimeMs };
}

/** The key of the inode (device and inode number); `sameFile` tells a reused inode from the old file. */
export function inodeKey(file: FileIdentity): string {
    return `${file.dev}:${file.ino}`;
}

/** Whether `st` is the file `file` identifies (an identity without a birth time matches on the inode). */
export function sameFile(file: FileIdentity, st: fs.Stats): boolean {
    return st.ino === file.ino && st.dev === file.dev && (file.born === undefined || st.birthtimeMs === file.born);
}
