import { log } from "../log/logger";
import { joinWindowsPath } from "../model/windows-path";
import type { HostFileSystem } from "./filesystem";

/** hcsshim's `LocateUVMFolder` error text, verbatim. */
export const UVM_FOLDER_NOT_FOUND_MESSAGE = "utility VM folder could not be found in layers";

/**
 * No layer folder holds `UtilityVM`. A user mistake in `layerFolders`, so callers report it on that
 * input (`field`) rather than as a host failure.
 */
export class UtilityVmFolderNotFoundError extends Error {
    override readonly name = "UtilityVmFolderNotFoundError";
    /** The input to blame. */
    readonly field = "layerFolders";

    constructor(readonly layerFolders: readonly string[]) {
        super(UVM_FOLDER_NOT_FOUND_MESSAGE);
    }
}

/**
 * hcsshim's `uvmfolder.LocateUVMFolder`: the first folder, in the order given (top-most layer first,
 * scratch folder included), in which `<folder>\UtilityVM` exists. Whether that entry is a directory is
 * not checked, as in hcsshim. The answer is the layer folder, not its `UtilityVM` subfolder.
 *
 * @throws {UtilityVmFolderNotFoundError} when no folder has one.
 * @throws {HostFileSystemError} when a lookup fails other than "does not exist" (as hcsshim returns a
 *   raw `os.Stat` error).
 */
export async function locateUVMFolder(fs: HostFileSystem, layerFolders: readonly string[]): Promise<string> {
    for (const [index, folder] of layerFolders.entries()) {
        if ((await fs.stat(joinWindowsPath(folder, "UtilityVM"))) !== undefined) {
            log.debug({ index: index + 1, count: layerFolders.length, folder }, "hcsshim::LocateUVMFolder: found");
            return folder;
        }
    }
    throw new UtilityVmFolderNotFoundError(layerFolders);
}
