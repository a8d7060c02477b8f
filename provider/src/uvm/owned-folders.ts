import { type HostFileSystem, isTemporaryName } from "../host/filesystem";
import { joinWindowsPath, parentWindowsPath } from "../model/windows-path";

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
    for (let current = folder; !/^[A-Za-z]:\\?$/.test(current); current = parentWindowsPath(current)) {
        const outcome = await removeIfOnlyMarker(fs, current, true);
        if (outcome === "kept") break;
        if (outcome === "removed") removed.push(current);
    }
    return removed;
}

/**
 * Undoes exactly one create's folders (outermost first as mkdirs listed them), innermost first, each
 * only while it holds nothing but its marker (a concurrent create may have put a sibling VM inside).
 * For a rollback, which must also work when the markers were never written.
 */
export async function removeCreatedFolders(fs: HostFileSystem, folders: readonly string[]): Promise<void> {
    for (const folder of [...folders].reverse()) {
        if ((await removeIfOnlyMarker(fs, folder, false)) === "kept") break;
    }
}

/**
 * Removes a folder holding nothing but our marker (or nothing at all, when `requireMarker` is false:
 * a folder this very call made). "gone": it was not there (a sibling's delete got here first);
 * "kept": it holds something else, or is not ours, and keeps its marker.
 */
async function removeIfOnlyMarker(fs: HostFileSystem, folder: string, requireMarker: boolean): Promise<"removed" | "kept" | "gone"> {
    const listed = await fs.listNames(folder);
    if (listed === undefined) return "gone";
    // A marker write killed mid-way leaves a temporary file beside the marker: ours to remove too.
    const leftovers = listed.filter((name) => isTemporaryName(name, FOLDER_MARKER));
    const names = listed.filter((name) => !leftovers.includes(name));
    if (names.some((name) => name !== FOLDER_MARKER)) return "kept";
    for (const name of leftovers) await fs.removeFile(joinWindowsPath(folder, name));
    if (requireMarker && names.length === 0) return "kept";
    const marker = joinWindowsPath(folder, FOLDER_MARKER);
    const marked = names.length > 0;
    if (marked) await fs.removeFile(marker);
    if (await fs.removeEmptyDirectory(folder)) return "removed";
    // Deletes and creates run in parallel: someone may have removed the folder meanwhile, or put
    // something in it (then it stays, and stays ours).
    if ((await fs.listNames(folder)) === undefined) return "gone";
    if (marked) await fs.writeText(marker, "created by pulumi-hcs; removed once empty\n");
    return "kept";
}
