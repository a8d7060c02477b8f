import { joinWindowsPath } from "../model/windows-path";

/** The file beside a sandbox.vhdx the provider copied, naming the VM it belongs to (uvm/scratch-owner.ts). */
export const SCRATCH_OWNER_MARKER = "pulumi-hcs.json";

/** Where CreateWCOW's scratch and boot files are, derived from the layer folders. */
export interface ScratchPlan {
    /** The last layer folder; created when missing. */
    readonly scratchFolder: string;
    /** `<scratchFolder>\sandbox.vhdx`, the VM's scratch disk (SCSI 0:0). */
    readonly scratchPath: string;
    /** `<uvmFolder>\UtilityVM\SystemTemplate.vhdx`, copied to `scratchPath` when that does not exist. */
    readonly templatePath: string;
    /** `<uvmFolder>\UtilityVM\Files`, shared with the VM as VSMB share `os`. */
    readonly osFilesPath: string;
    /** `<scratchFolder>\pulumi-hcs.json`: which VM the provider copied `sandbox.vhdx` for (ours, not hcsshim's). */
    readonly ownerMarkerPath: string;
}

/**
 * The scratch paths of hcsshim's `CreateWCOW` and `wcow.CreateUVMScratch` (reference §4.2). Pure: it
 * looks at nothing on the host.
 *
 * @throws {RangeError} when `layerFolders` is empty.
 */
export function planScratch(layerFolders: readonly string[], uvmFolder: string): ScratchPlan {
    const scratchFolder = layerFolders[layerFolders.length - 1];
    if (scratchFolder === undefined) throw new RangeError("Cannot plan the scratch disk: layerFolders is empty");
    return {
        scratchFolder,
        scratchPath: joinWindowsPath(scratchFolder, "sandbox.vhdx"),
        templatePath: joinWindowsPath(uvmFolder, "UtilityVM", "SystemTemplate.vhdx"),
        osFilesPath: joinWindowsPath(uvmFolder, "UtilityVM", "Files"),
        ownerMarkerPath: joinWindowsPath(scratchFolder, SCRATCH_OWNER_MARKER),
    };
}
