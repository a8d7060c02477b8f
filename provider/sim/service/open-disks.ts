/**
 * The virtual disks compute systems hold open, and the sharing rule between them.
 *
 * On Hyper-V the VM worker process opens each attached virtual disk for as long as the VM exists;
 * a disk attached read-write is opened exclusively (copying the VHDX of a running VM fails with
 * ERROR_SHARING_VIOLATION), so a second VM cannot attach the same file.
 * GUESS: a read-write attachment denies every other open (read-only ones included), and read-only
 * attachments (and ISOs) share the file with each other but not with a writer. A system's own
 * attachments are not checked against each other.
 *
 * Opens are keyed by file identity (file-identity.ts), so every spelling of a path, or another
 * hard link to the file, is the same file. They live in memory: a restarted service takes them
 * back from the systems that survive (restore).
 */
import * as fs from "node:fs";
import { fileIdentity, inodeKey, sameFile, type FileIdentity } from "./file-identity";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";

/** One disk a system opens. */
export interface DiskOpen {
    /** Where it is attached (`<controller>/<lun>`), so detaching it closes it. */
    readonly slot: string;
    /** The path as the document names it (normalized Windows form). */
    readonly windows: string;
    /** Where the file lives on this machine. */
    readonly local: string;
    readonly readOnly: boolean;
    /** The document field that names the disk, for error messages. */
    readonly at: string;
}

interface HeldDisk extends FileIdentity {
    readonly systemId: string;
    readonly slot: string;
    readonly windows: string;
    readonly readOnly: boolean;
}

/** What the control interface's `state` shows for each open disk. */
export interface OpenDiskView {
    readonly path: string;
    readonly system: string;
    readonly readOnly: boolean;
}

export class OpenDisks {
    /** Key: inodeKey of the file. */
    private readonly byInode = new Map<string, HeldDisk[]>();
    /** Key: lower-cased compute-system ID. */
    private readonly bySystem = new Map<string, HeldDisk[]>();

    /**
     * Opens every disk in `disks` for `systemId`, or none of them.
     * @throws {HcsFailure} ERROR_SHARING_VIOLATION naming the disk and the system that holds it, when
     *   another system holds one of them in a mode that excludes this open.
     */
    open(systemId: string, disks: readonly DiskOpen[]): void {
        const held = disks.map((disk) => {
            const st = fs.statSync(disk.local);
            const holder = this.conflicting(systemId, st, disk.readOnly);
            if (holder) throw sharingViolation(systemId, disk, holder);
            return this.heldDisk(systemId, disk, st);
        });
        for (const disk of held) this.add(disk);
    }

    /**
     * Records the disks of a system that survived a service restart, without checking them (they
     * were checked when it was created); a file that is gone holds nothing.
     */
    restore(systemId: string, disks: readonly DiskOpen[]): void {
        for (const disk of disks) {
            let st: fs.Stats;
            try {
                st = fs.statSync(disk.local);
            } catch {
                continue;
            }
            this.add(this.heldDisk(systemId, disk, st));
        }
    }

    /** Closes the disk a system has attached at `slot` (detached), if it holds one there. */
    close(systemId: string, slot: string): void {
        const mine = this.bySystem.get(systemId.toLowerCase());
        const disk = mine?.find((d) => d.slot === slot);
        if (disk) this.remove(disk);
    }

    /** Closes every disk of a system (it stopped, or was removed). */
    closeAll(systemId: string): void {
        for (const disk of [...(this.bySystem.get(systemId.toLowerCase()) ?? [])]) this.remove(disk);
    }

    list(): OpenDiskView[] {
        return [...this.bySystem.values()].flat().map((d) => ({ path: d.windows, system: d.systemId, readOnly: d.readOnly }));
    }

    /** A disk another system holds that excludes opening `st` (read-only or not) for `systemId`. */
    private conflicting(systemId: string, st: fs.Stats, readOnly: boolean): HeldDisk | undefined {
        const id = systemId.toLowerCase();
        return this.byInode.get(inodeKey(fileIdentity(st)))?.find((held) =>
            held.systemId.toLowerCase() !== id && sameFile(held, st) && !(held.readOnly && readOnly));
    }

    private heldDisk(systemId: string, disk: DiskOpen, st: fs.Stats): HeldDisk {
        return { ...fileIdentity(st), systemId, slot: disk.slot, windows: disk.windows, readOnly: disk.readOnly };
    }

    private add(disk: HeldDisk): void {
        const inode = inodeKey(disk);
        this.byInode.set(inode, [...(this.byInode.get(inode) ?? []), disk]);
        const id = disk.systemId.toLowerCase();
        this.bySystem.set(id, [...(this.bySystem.get(id) ?? []), disk]);
    }

    private remove(disk: HeldDisk): void {
        const inode = inodeKey(disk);
        const sharing = (this.byInode.get(inode) ?? []).filter((d) => d !== disk);
        if (sharing.length > 0) this.byInode.set(inode, sharing);
        else this.byInode.delete(inode);
        const id = disk.systemId.toLowerCase();
        const mine = (this.bySystem.get(id) ?? []).filter((d) => d !== disk);
        if (mine.length > 0) this.bySystem.set(id, mine);
        else this.bySystem.delete(id);
    }
}

function sharingViolation(systemId: string, disk: DiskOpen, holder: HeldDisk): HcsFailure {
    const mode = (readOnly: boolean): string => (readOnly ? "read-only" : "read-write");
    const message = `'${disk.windows}': The process cannot access the file because it is being used by another process. ` +
        `The VM worker process for '${systemId}' cannot open the virtual disk ${mode(disk.readOnly)}: compute system ` +
        `'${holder.systemId}' has it attached ${mode(holder.readOnly)} as '${holder.windows}', and a disk attached ` +
        "read-write is opened exclusively";
    return new HcsFailure(HR.SHARING_VIOLATION, `${disk.at}.Path: ${message}`, [message], EVENT_IDS.sharingViolation);
}
