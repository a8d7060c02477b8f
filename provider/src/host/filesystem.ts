/**
 * What creating a WCOW utility VM asks of the target host's file system (hcsshim `CreateWCOW`:
 * `LocateUVMFolder`, the scratch folder and `sandbox.vhdx`, the dump directory check). Paths are
 * normalized absolute Windows paths (`C:\a\b`, see `model/windows-path.ts`) whatever OS runs the
 * provider; an implementation maps them to the host it talks to.
 */
export interface HostFileSystem {
    /**
     * What is at `path`, or undefined when nothing is (a missing parent also counts as missing).
     *
     * @throws {HostFileSystemError} for any other failure (access denied, I/O error).
     */
    stat(path: string): Promise<{ readonly kind: "file" | "directory" } | undefined>;
    /** Whether `path` exists and is a directory. @throws {HostFileSystemError} as `stat`. */
    isDirectory(path: string): Promise<boolean>;
    /**
     * Creates `path` and any missing parents. Resolves to the folders it created, outermost first
     * (empty when `path` already existed), so a rollback can remove exactly those. On failure, removes
     * what it created before throwing.
     *
     * @throws {HostFileSystemError} when a component is a file or a folder cannot be created.
     */
    mkdirs(path: string): Promise<string[]>;
    /**
     * Copies a file, replacing `destination` if it exists (CopyFileW with `bFailIfExists = FALSE`).
     * The destination's folder must exist.
     *
     * @throws {HostFileSystemError} when the source is missing or the copy fails.
     */
    copyFile(source: string, destination: string): Promise<void>;
    /** Removes a file; a missing file is fine. @throws {HostFileSystemError} for a directory or I/O error. */
    removeFile(path: string): Promise<void>;
    /**
     * Removes a directory only when it is empty. Resolves to whether it removed it (false when it is
     * not empty or does not exist).
     *
     * @throws {HostFileSystemError} when `path` is a file or removal fails otherwise.
     */
    removeEmptyDirectory(path: string): Promise<boolean>;
    /**
     * A small UTF-8 text file's content, or undefined when it does not exist (the scratch folder's
     * ownership marker; never a VHDX).
     *
     * @throws {HostFileSystemError} when it cannot be read.
     */
    readText(path: string): Promise<string | undefined>;
    /** Writes a small UTF-8 text file, replacing it. @throws {HostFileSystemError} when it cannot be written. */
    writeText(path: string, text: string): Promise<void>;
    /**
     * Creates a small UTF-8 text file only if nothing is at `path` yet (Windows `CREATE_NEW`, POSIX
     * `O_CREAT|O_EXCL`): of any number of racing callers, on any number of processes, exactly one
     * gets true. The scratch folder's owner marker is claimed this way (uvm/scratch-claim.ts).
     *
     * @throws {HostFileSystemError} when it cannot be written for another reason.
     */
    createTextExclusive(path: string, text: string): Promise<boolean>;
    /**
     * The names of a folder's entries, or undefined when the folder does not exist.
     *
     * @throws {HostFileSystemError} when `path` is a file or cannot be read.
     */
    listNames(path: string): Promise<string[] | undefined>;
    /**
     * Whether `path` lies in `folder` (or is it) once every symbolic link and junction among the parts
     * of each that exist is followed: a link under an allowed folder that points elsewhere is outside.
     * Both are normalized absolute Windows paths.
     */
    isInside(path: string, folder: string): Promise<boolean>;
}

/**
 * Whether a folder entry is a file a writeText or createTextExclusive of `name` left behind when its
 * process was killed mid-write (`<name>.<pid>-<8 hex>.tmp`), which whoever owns `name` may remove.
 */
export function isTemporaryName(entry: string, name: string): boolean {
    return entry.toLowerCase().startsWith(`${name.toLowerCase()}.`) && /\.\d+-[0-9a-f]{8}\.tmp$/.test(entry);
}

/** The operations of {@link HostFileSystem}, as named in errors. */
export type HostFileSystemOperation = "stat" | "mkdirs" | "copyFile" | "removeFile" | "removeEmptyDirectory" | "readText" | "writeText" | "createTextExclusive" | "listNames";

const VERBS: Readonly<Record<HostFileSystemOperation, string>> = {
    stat: "inspect",
    mkdirs: "create folder",
    copyFile: "copy",
    removeFile: "remove file",
    removeEmptyDirectory: "remove folder",
    readText: "read",
    writeText: "write",
    createTextExclusive: "create",
    listNames: "list",
};

const REASONS: Readonly<Record<string, string>> = {
    ENOENT: "it does not exist",
    ENOTDIR: "a part of the path is a file, not a folder",
    EISDIR: "it is a folder",
    EEXIST: "it already exists",
    EACCES: "access is denied",
    EPERM: "the operation is not permitted",
    ENOSPC: "there is no space left on the device",
    EROFS: "the file system is read-only",
    EBUSY: "it is in use",
    ENAMETOOLONG: "the name is too long",
};

/**
 * A host file system operation failed. The message names the operation and the Windows path(s);
 * `code` is the Node.js error code when there is one, and `cause` keeps the original error (with the
 * native path, for the simulator).
 */
export class HostFileSystemError extends Error {
    override readonly name = "HostFileSystemError";
    /** The Node.js error code (`ENOENT`, `EACCES`, …), when the failure came from the OS. */
    readonly code: string | undefined;

    constructor(
        readonly operation: HostFileSystemOperation,
        /** The Windows path the operation was about (the source, for a copy). */
        readonly path: string,
        options: { readonly cause?: unknown; readonly reason?: string; readonly destination?: string } = {},
    ) {
        const code = errorCode(options.cause);
        const reason = options.reason ?? (code !== undefined ? (REASONS[code] ?? code) : String(options.cause));
        const target = options.destination !== undefined ? `${path} to ${options.destination}` : path;
        super(`Cannot ${VERBS[operation]} ${target}: ${reason}${code !== undefined && options.reason === undefined ? ` (${code})` : ""}`, {
            cause: options.cause,
        });
        this.code = code;
    }
}

/** The `code` of a Node.js system error, if `error` has one. */
export function errorCode(error: unknown): string | undefined {
    if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
    return undefined;
}
