/**
 * Checks the files a ComputeSystem document (or a modify request) names, under the mapped root:
 * SCSI disks must exist and be granted to the VM (HcsGrantVmAccess), VSMB shares must be folders.
 * Paths are looked up as on NTFS, case-insensitively (windows-path.ts).
 */
import * as fs from "node:fs";
import { dig, type Json } from "./compute-system-document";
import { GrantStore, missingPathFailure } from "./grants";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";
import type { DiskOpen } from "./open-disks";
import { mapWindowsPath, type MappedPath } from "./windows-path";

function obj(v: unknown): Json | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Whether the VM opens the attachment read-only (an ISO always is). */
function isReadOnly(attachment: Json): boolean {
    return attachment.ReadOnly === true || attachment.Type === "Iso";
}

function diskOpen(file: MappedPath, attachment: Json, at: string, slot: string): DiskOpen {
    return { slot, windows: file.windows, local: file.local, readOnly: isReadOnly(attachment), at };
}

/**
 * Checks one SCSI attachment, at `slot` (`<controller>/<lun>`), and returns the disk the VM opens.
 * @throws {HcsFailure} ERROR_NOT_SUPPORTED for pass-through and extensible disks, FILE/PATH_NOT_FOUND
 *   for a missing file, E_ACCESSDENIED when the file was not granted to `vmId`.
 */
export function checkAttachment(root: string, grants: GrantStore, vmId: string, attachment: Json, at: string, slot: string): DiskOpen {
    const type = attachment.Type as string;
    if (type === "PassThru" || type === "ExtensibleVirtualDisk") {
        throw new HcsFailure(HR.NOT_SUPPORTED, `${at}.Type: the simulator does not simulate ${type} disks`, undefined, EVENT_IDS.notSupported);
    }
    const file = mapWindowsPath(root, String(attachment.Path), `${at}.Path`);
    const missing = missingPathFailure(file.local, file.windows, `${at}.Path`, type === "Iso" ? "ISO image" : "virtual disk");
    if (missing) throw missing;
    // GUESS: a folder where a disk file should be fails like an unopenable file (E_ACCESSDENIED).
    if (fs.statSync(file.local).isDirectory()) {
        throw new HcsFailure(HR.E_ACCESSDENIED, `${at}.Path: '${file.windows}' is a folder, not a virtual disk file`,
            undefined, EVENT_IDS.accessDenied);
    }
    if (!grants.allows(vmId, file.local, isReadOnly(attachment))) {
        // Like the VM worker process, which runs as the VM's own account and cannot open a file whose
        // ACL has no entry for it.
        const message = `'${file.windows}': Access is denied. The VM worker process for '${vmId}' cannot open the ` +
            `virtual disk: it was not granted access with HcsGrantVmAccess('${vmId}', '${file.windows}')`;
        throw new HcsFailure(HR.E_ACCESSDENIED, `${at}.Path: ${message}`, [message], EVENT_IDS.accessDenied);
    }
    return diskOpen(file, attachment, at, slot);
}

/**
 * Checks one VSMB share: its Path is a folder, and its AllowedFiles exist in it.
 * @throws {HcsFailure} FILE/PATH_NOT_FOUND, ERROR_DIRECTORY for a file, E_INVALIDARG/NOT_SUPPORTED
 *   for a path the simulator cannot map.
 */
export function checkShare(root: string, share: Json, at: string): void {
    const dir = mapWindowsPath(root, String(share.Path), `${at}.Path`);
    const missing = missingPathFailure(dir.local, dir.windows, `${at}.Path`, "VSMB share folder");
    if (missing) throw missing;
    if (!fs.statSync(dir.local).isDirectory()) {
        // GUESS: the HRESULT for a share path that is a file (hcsshim shares a file's parent folder instead).
        throw new HcsFailure(HR.DIRECTORY, `${at}.Path: '${dir.windows}' is a file; a VSMB share is a folder (The directory name is invalid.)`,
            undefined, EVENT_IDS.fileMissing);
    }
    const allowed = share.AllowedFiles;
    if (Array.isArray(allowed)) {
        allowed.forEach((name, i) => {
            const field = `${at}.AllowedFiles[${i}]`;
            const file = mapWindowsPath(root, `${dir.windows}\\${String(name)}`, field);
            // GUESS: HCS checks that each allowed file exists when the share is added.
            const gone = missingPathFailure(file.local, file.windows, field, "allowed file");
            if (gone) throw gone;
        });
    }
}

interface ScsiAttachment {
    readonly attachment: Json;
    /** The document field of the attachment. */
    readonly at: string;
    /** `<controller>/<lun>`. */
    readonly slot: string;
}

function scsiAttachments(doc: Json): ScsiAttachment[] {
    const found: ScsiAttachment[] = [];
    const scsi = obj(dig(doc, "VirtualMachine.Devices.Scsi")) ?? {};
    for (const [controller, value] of Object.entries(scsi)) {
        for (const [lun, attachment] of Object.entries(obj(obj(value)?.Attachments) ?? {})) {
            found.push({ attachment: obj(attachment)!, at: `VirtualMachine.Devices.Scsi.${controller}.Attachments.${lun}`, slot: `${controller}/${lun}` });
        }
    }
    return found;
}

/** Checks every file a VM document names (SCSI disks, VSMB shares); returns the disks the VM opens. */
export function checkDocumentFiles(root: string, grants: GrantStore, vmId: string, doc: Json): DiskOpen[] {
    const disks = scsiAttachments(doc).map(({ attachment, at, slot }) => checkAttachment(root, grants, vmId, attachment, at, slot));
    const shares = dig(doc, "VirtualMachine.Devices.VirtualSmb.Shares");
    if (Array.isArray(shares)) {
        shares.forEach((share, i) => checkShare(root, obj(share)!, `VirtualMachine.Devices.VirtualSmb.Shares[${i}]`));
    }
    return disks;
}

/** The disks a VM document attaches, without checking them (a configuration that was checked when applied). */
export function attachedDisks(root: string, doc: Json): DiskOpen[] {
    const disks: DiskOpen[] = [];
    for (const { attachment, at, slot } of scsiAttachments(doc)) {
        try {
            disks.push(diskOpen(mapWindowsPath(root, String(attachment.Path), `${at}.Path`), attachment, at, slot));
        } catch {
            // a path the simulator cannot map opens nothing
        }
    }
    return disks;
}
