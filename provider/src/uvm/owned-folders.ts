import type { HostFileSystem } from "../host/filesystem";
import { joinWindowsPath } from "../model/windows-path";

/**
 * Folders create makes for a scratch disk carry this small file, so they can be removed again once
 * empty by whichever delete empties them: VMs often share a parent that only the first create made
 * (`C:\uvms\pool` above `vm-0`, `vm-1`…), and Pulumi deletes them in any order, in parallel. A folder
 * without the marker was not made by pulumi-hcs and is never removed.
 */
export const FOLDER_MARKER = "pulumi-hcs.folder";

/** Marks folders create just made (outermost first) as ours. */
export async function markOwnedFolders(fs: HostFileSystem, folders: readonly string[], id: string): Promise<void> {
    for (const folder of folders) {
        await fs.writeText(joinWindowsPath(folder, FOLDER_MARKER), `created by pulumi-hcs for compute system ${id}; removed once empty\n`);
    }
}

/**
 * Removes `folder` and then each parent in turn while it is one of ours and holds nothing but its
 * marker; stops at the first folder that is not ours or not empty, or at the drive root.
 * @returns the folders removed, innermost first.
 */
export async function removeOwnedFolders(fs: HostFileSystem, folder: string): Promise<string[]> {
    const removed: string[] = [];
    for (let current = folder; !/^[A-Za-z]:\\?$/.test(current); current = parentOf(current)) {
        const names = await fs.listNames(current);
        if (names === undefined) continue; // already gone: a sibling's delete got here first
        if (names.length !== 1 || names[0] !== FOLDER_MARKER) break;
        const marker = joinWindowsPath(current, FOLDER_MARKER);
        await fs.removeFile(marker);
        if (await fs.removeEmptyDirectory(current)) {
            removed.push(current);
            continue;
        }
        // Deletes run in parallel: a sibling's delete may have removed this folder first (go on up),
        // or a create may have put something here meanwhile (the folder stays, and stays ours).
        if ((await fs.listNames(current)) === undefined) continue;
        await fs.writeText(marker, "created by pulumi-hcs; removed once empty\n");
        break;
    }
    return removed;
}

function parentOf(path: string): string {
    const cut = path.lastIndexOf("\\");
    return cut <= 2 ? path.slice(0, 3) : path.slice(0, cut);
}
