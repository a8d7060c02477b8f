/**
 * HcsGrantVmAccess / HcsGrantVmGroupAccess, modelled as ACL entries on files under the mapped root.
 *
 * A grant belongs to the file it was made on: it records the file's identity (inode, device and
 * birth time: file systems reuse a freed inode number at once, so the inode alone cannot tell a new
 * file at the same path from the old one), so deleting the file and creating another at the same
 * path drops the grant, as a new file's ACL would.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";

export interface GrantRecord {
    /** The path as the grant was made (normalized Windows form). */
    windows: string;
    /** Where the file lives under the root, relative to the root. */
    local: string;
    /** Inode, device and birth time (ms) of the file when granted. */
    ino: number;
    dev: number;
    born?: number;
    /** Compute-system IDs (lower-cased) with access; empty for a group-only grant. */
    vmIds: string[];
    /** Whether the Virtual Machines group has (read-only) access. */
    group: boolean;
}

/**
 * Why a path does not exist, as Windows says it: ERROR_FILE_NOT_FOUND when its folder exists,
 * ERROR_PATH_NOT_FOUND when the folder is missing too. Undefined when the path exists.
 */
export function missingPathFailure(local: string, windows: string, field: string, what: string): HcsFailure | undefined {
    if (fs.existsSync(local)) return undefined;
    const parentExists = fs.existsSync(path.dirname(local));
    const hr = parentExists ? HR.FILE_NOT_FOUND : HR.PATH_NOT_FOUND;
    const why = parentExists ? "The system cannot find the file specified." : "The system cannot find the path specified.";
    return new HcsFailure(hr, `${field}: ${what} '${windows}' does not exist: ${why}`,
        [`${what} '${windows}' does not exist (${why})`], EVENT_IDS.fileMissing);
}

export class GrantStore {
    private readonly byLocal = new Map<string, GrantRecord>();

    constructor(private readonly root: string, records: readonly GrantRecord[] = []) {
        for (const r of records) this.byLocal.set(r.local, { ...r, vmIds: [...r.vmIds] });
    }

    list(): GrantRecord[] {
        return [...this.byLocal.values()].map((r) => ({ ...r, vmIds: [...r.vmIds] }));
    }

    private key(local: string): string {
        return path.relative(path.resolve(this.root), local);
    }

    /** Adds vmId (or the VM group when vmId is undefined) to the file's grants. */
    grant(vmId: string | undefined, windows: string, local: string): void {
        const st = fs.statSync(local);
        const key = this.key(local);
        let record = this.byLocal.get(key);
        if (record && !sameFile(record, st)) record = undefined; // a different file now
        if (!record) {
            record = { windows, local: key, ino: st.ino, dev: st.dev, born: st.birthtimeMs, vmIds: [], group: false };
            this.byLocal.set(key, record);
        }
        if (vmId === undefined) record.group = true;
        else if (!record.vmIds.includes(vmId.toLowerCase())) record.vmIds.push(vmId.toLowerCase());
    }

    /** Removes a grant. GUESS: revoking access that was never granted succeeds. */
    revoke(vmId: string | undefined, local: string): void {
        const key = this.key(local);
        const record = this.byLocal.get(key);
        if (!record) return;
        if (vmId === undefined) record.group = false;
        else record.vmIds = record.vmIds.filter((v) => v !== vmId.toLowerCase());
        if (record.vmIds.length === 0 && !record.group) this.byLocal.delete(key);
    }

    /**
     * Whether the VM may open the file: granted to its ID, or (for read-only use) to the VM group.
     * GUESS: a group grant (read-only, per the reference) is enough only for read-only attachments.
     */
    allows(vmId: string, local: string, readOnly: boolean): boolean {
        const record = this.byLocal.get(this.key(local));
        if (!record) return false;
        let st: fs.Stats;
        try {
            st = fs.statSync(local);
        } catch {
            return false;
        }
        if (!sameFile(record, st)) return false;
        return record.vmIds.includes(vmId.toLowerCase()) || (readOnly && record.group);
    }
}

/** Whether `st` is the file the grant was made on (records from before birth times match on inode). */
function sameFile(record: GrantRecord, st: fs.Stats): boolean {
    return st.ino === record.ino && st.dev === record.dev && (record.born === undefined || st.birthtimeMs === record.born);
}
