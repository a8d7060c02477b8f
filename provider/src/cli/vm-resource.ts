import { SCRATCH_OWNER_MARKER } from "../host/scratch-plan";
import type { HostFileSystem } from "../host/filesystem";
import { joinWindowsPath, parentWindowsPath, parseWindowsPath } from "../model/windows-path";
import { namesSystem, readScratchOwner } from "../uvm/scratch-owner";

/** The Pulumi resource a compute system was created for, as its scratch folder's owner marker says. */
export interface VmResource {
    /** The folder holding the VM's sandbox.vhdx. */
    readonly scratchFolder: string;
    /** The resource's URN, when the marker names this VM and a resource. */
    readonly urn: string | undefined;
}

/** CreateWCOW's name for the scratch disk (hcsshim `wcow.CreateUVMScratch`). */
const SCRATCH_DISK_NAME = "sandbox.vhdx";

/**
 * The folder of the scratch disk a compute-system document attaches (the SCSI attachment named
 * sandbox.vhdx), or undefined when it attaches none. Windows HCS does not report a VM's document;
 * the simulator does (its `Simulator` property), so off the simulator this is never known.
 */
export function scratchFolderOf(configuration: unknown): string | undefined {
    const scsi = field(field(field(configuration, "VirtualMachine"), "Devices"), "Scsi");
    for (const controller of Object.values(asObject(scsi) ?? {})) {
        for (const attachment of Object.values(asObject(field(controller, "Attachments")) ?? {})) {
            const disk = field(attachment, "Path");
            if (typeof disk !== "string") continue;
            const parsed = parseWindowsPath(disk);
            if (!parsed.ok) continue;
            const folder = parentWindowsPath(parsed.path);
            if (parsed.path.slice(folder.length).replace(/^\\/, "").toLowerCase() === SCRATCH_DISK_NAME) return folder;
        }
    }
    return undefined;
}

/**
 * Reads the owner marker of the VM's scratch folder. The URN counts only when the marker names this
 * very VM (ID and runtime ID): a folder reused by a later VM under the same ID is not this one's.
 */
export async function vmResource(fs: HostFileSystem, scratchFolder: string, id: string, runtimeId: string | undefined): Promise<VmResource> {
    const content = await readScratchOwner(fs, joinWindowsPath(scratchFolder, SCRATCH_OWNER_MARKER));
    const urn = content?.kind === "owner" && namesSystem(content, id, runtimeId) ? content.owner.resource : undefined;
    return { scratchFolder, urn };
}

/**
 * The resource's name: the last part of its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`).
 * A name may itself contain `::`, so everything after the type is the name.
 */
export function resourceNameOf(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function field(value: unknown, name: string): unknown {
    return asObject(value)?.[name];
}
