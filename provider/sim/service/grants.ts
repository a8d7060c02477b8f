/**
 * HcsGrantVmAccess / HcsGrantVmGroupAccess, modelled as ACL entries on files under the mapped root.
 *
 * A grant belongs to the file it was made on, as an ACL does: it is keyed by the file's identity
 * (file-identity.ts), not by its path, so every spelling of the path (NTFS compares names
 * case-insensitively) finds it, and deleting the file and creating another at the same path drops it,
 * as a new file's ACL would.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { inodeKey, sameFile } from "./file-identity";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";

export interface GrantRecord {
    /** The path as the first grant named it (normalized Windows form). */
    windows: string;
    /** Where the file lived under the root when first granted, relative to the root (informational). */
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
    /** Key: inodeKey of the file; a record whose birth time differs belongs to a file since deleted. */
    private readonly byFile = new Map<string, GrantRecord>();
    /** The files whose grants changed since `takeChanges`, by inodeKey. */
    private readonly changed = new Set<string>();

    constructor(private readonly root: string, records: readonly GrantRecord[] = []) {
        for (const r of records) this.byFile.set(inodeKey(r), { ...r, vmIds: [...r.vmIds] });
    }

    /** The grants of files that still exist: an ACL entry goes with its file when the file is deleted. */
    list(): GrantRecord[] {
        for (const [key, record] of this.byFile) {
            let st: fs.Stats | undefined;
            try {
                st = fs.statSync(path.join(path.resolve(this.root), record.local));
            } catch {
                st = undefined;
            }
            if (!st || !sameFile(record, st)) this.byFile.delete(key);
        }
        return [...this.byFile.values()].map((r) => ({ ...r, vmIds: [...r.vmIds] }));
    }

    /**
     * What changed since the last call, for the journal: each changed file's grants as they are now
     * (`grant`), or its inodeKey when it has none left (`ungrant`).
     */
    takeChanges(): { readonly grant?: GrantRecord; readonly ungrant?: string }[] {
        const changes = [...this.changed].map((key) => {
            const record = this.byFile.get(key);
            return record !== undefined ? { grant: { ...record, vmIds: [...record.vmIds] } } : { ungrant: key };
        });
        this.changed.clear();
        return changes;
    }

    /** The record of the file at `local`, if it has one (and the file exists). */
    private recordOf(local: string): GrantRecord | undefined {
        let st: fs.Stats;
        try {
            st = fs.statSync(local);
        } catch {
            return undefined;
        }
        const record = this.byFile.get(inodeKey(st));
        return record && sameFile(record, st) ? record : undefined;
    }

    /** Adds vmId (or the VM group when vmId is undefined) to the file's grants. */
    grant(vmId: string | undefined, windows: string, local: string): void {
        const st = fs.statSync(local);
        let record = this.recordOf(local);
        if (!record) {
            // Replaces the record of a deleted file whose inode number this file reuses.
            record = { windows, local: path.relative(path.resolve(this.root), local), ino: st.ino, dev: st.dev, born: st.birthtimeMs, vmIds: [], group: false };
            this.byFile.set(inodeKey(record), record);
        }
        if (vmId === undefined) record.group = true;
        else if (!record.vmIds.includes(vmId.toLowerCase())) record.vmIds.push(vmId.toLowerCase());
        this.changed.add(inodeKey(record));
    }

    /** Removes a grant. GUESS: revoking access that was never granted succeeds. */
    revoke(vmId: string | undefined, local: string): void {
        const record = this.recordOf(local);
        if (!record) return;
        if (vmId === undefined) record.group = false;
        else record.vmIds = record.vmIds.filter((v) => v !== vmId.toLowerCase());
        if (record.vmIds.length === 0 && !record.group) this.byFile.delete(inodeKey(record));
        this.changed.add(inodeKey(record));
    }

    /**
     * Whether the VM may open the file: granted to its ID, or (for read-only use) to the VM group.
     * GUESS: a group grant (read-only, per the reference) is enough only for read-only attachments.
     */
    allows(vmId: string, local: string, readOnly: boolean): boolean {
        const record = this.recordOf(local);
        if (!record) return false;
        return record.vmIds.includes(vmId.toLowerCase()) || (readOnly && record.group);
    }
}
