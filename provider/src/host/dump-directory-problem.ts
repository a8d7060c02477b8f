import { type HostFileSystem, HostFileSystemError } from "./filesystem";

/**
 * hcsshim's checks on `DumpDirectoryPath` in prepareConfigDoc: it must exist and be a directory.
 * Returns what is wrong, in hcsshim's words with the fix after them, or undefined when the folder
 * is usable. Shared by `render` (which reports it as a field failure) and create (which fails).
 * @throws Error for file-system failures other than the host refusing to stat the path.
 */
export async function dumpDirectoryProblem(fs: HostFileSystem, directory: string): Promise<string | undefined> {
    let stat;
    try {
        stat = await fs.stat(directory);
    } catch (err) {
        if (!(err instanceof HostFileSystemError)) throw err;
        return `failed to stat dump directory ${directory}: ${err.message}`;
    }
    if (stat === undefined) {
        return `failed to stat dump directory ${directory}: it does not exist on the host (create the folder there, or choose an existing one)`;
    }
    if (stat.kind !== "directory") return `dump directory path ${directory} isn't a directory (it is a file; choose a folder)`;
    return undefined;
}
