import { HCSSHIM_MESSAGE_WRAPPERS } from "../model/hcsshim-differences";
import { joinWindowsPath, parentWindowsPath } from "../model/windows-path";
import { dumpDirectoryProblem } from "./dump-directory-problem";
import { type HostFileSystem, HostFileSystemError } from "./filesystem";
import { planScratch } from "./scratch-plan";

/**
 * One way the host's files keep hcsshim's CreateWCOW from creating the VM: the step that would fail,
 * in hcsshim's words, and why.
 */
export interface HostFileProblem {
    /** The input to blame: `layerFolders[2]`, `dumpDirectoryPath`. */
    readonly field: string;
    /** hcsshim's step that fails, as its error begins: `failed to create scratch`. */
    readonly step: string;
    /** What hcsshim's error says after the step (without the OS's text), then what is wrong and the fix. */
    readonly reason: string;
}

/** What CreateWCOW would be working with, once the layer holding UtilityVM is known. */
export interface HostFileRequest {
    readonly layerFolders: readonly string[];
    /** The layer folder holding UtilityVM (locateUVMFolder); undefined when there is none. */
    readonly uvmFolder: string | undefined;
    readonly dumpDirectoryPath?: string | undefined;
}

/** hcsshim's steps whose failures these are, in the order CreateWCOW takes them. */
export const SCRATCH_FOLDER_STEP = "failed to create utility VM scratch folder";
export const DUMP_DIRECTORY_STEP = "error in preparing config doc";
export const SCRATCH_DISK_STEP = "failed to create scratch";

/**
 * Every way the host's files would make CreateWCOW fail after it found the layer holding UtilityVM,
 * in the order it would meet them (it stops at the first; we report all): the scratch folder cannot
 * be created (a folder on its path is a file); the dump directory is missing or a file; sandbox.vhdx
 * is not there and cannot be copied from the template (no SystemTemplate.vhdx, UtilityVM or the
 * template not what they must be, the scratch folder a file). Reads only.
 *
 * Render and create share this, so both refuse what CreateWCOW refuses, before create changes
 * anything.
 * @throws Error for file-system failures other than the host refusing a lookup.
 */
export async function hostFileProblems(fs: HostFileSystem, request: HostFileRequest): Promise<HostFileProblem[]> {
    const problems: HostFileProblem[] = [];
    const scratchIndex = request.layerFolders.length - 1;
    const scratchField = `layerFolders[${scratchIndex}]`;
    const scratchFolder = request.layerFolders[scratchIndex];
    if (scratchFolder === undefined) return problems;

    const blocking = await fileOnPathTo(fs, scratchFolder);
    if (blocking !== undefined) {
        problems.push({
            field: scratchField,
            step: SCRATCH_FOLDER_STEP,
            reason:
                `${blocking} is a file, not a folder, so the scratch folder ${scratchFolder} cannot be created under it; ` +
                "remove or rename the file, or choose another scratch folder as the last entry of layerFolders",
        });
    }
    if (request.dumpDirectoryPath !== undefined) {
        const problem = await dumpDirectoryProblem(fs, request.dumpDirectoryPath);
        if (problem !== undefined) problems.push({ field: "dumpDirectoryPath", step: DUMP_DIRECTORY_STEP, reason: problem });
    }
    if (request.uvmFolder !== undefined) {
        const scratch = await scratchDiskProblem(fs, request.layerFolders, request.uvmFolder);
        if (scratch !== undefined) problems.push(scratch);
    }
    return problems;
}

/**
 * A problem as one line: the step, then the reason. hcsshim's wrapper steps (`error in preparing
 * config doc`) are left out, as the input name already says where (hcsshim-differences.ts).
 */
export function describeHostFileProblem(problem: HostFileProblem): string {
    return HCSSHIM_MESSAGE_WRAPPERS.includes(`${problem.step}: `) ? problem.reason : `${problem.step}: ${problem.reason}`;
}

/**
 * hcsshim copies `<uvmFolder>\UtilityVM\SystemTemplate.vhdx` to `<scratch>\sandbox.vhdx` with CopyFileW
 * when the disk does not exist yet (wcow.CreateUVMScratch); the copy fails when the template is not a
 * file there, or the scratch folder is a file. An existing disk is only granted to the VM.
 */
async function scratchDiskProblem(fs: HostFileSystem, layerFolders: readonly string[], uvmFolder: string): Promise<HostFileProblem | undefined> {
    const plan = planScratch(layerFolders, uvmFolder);
    const copy = `failed CopyFileW Win32 call from '${plan.templatePath}' to '${plan.scratchPath}'`;
    const folder = await lookup(fs, plan.scratchFolder);
    if (folder?.kind === "file") {
        return {
            field: `layerFolders[${layerFolders.length - 1}]`,
            step: SCRATCH_DISK_STEP,
            reason:
                `${copy}: the scratch folder ${plan.scratchFolder} is a file, so sandbox.vhdx cannot be created in it; ` +
                "remove the file, or choose another scratch folder as the last entry of layerFolders",
        };
    }
    if (folder !== undefined && (await lookup(fs, plan.scratchPath)) !== undefined) return undefined;

    const field = `layerFolders[${layerFolders.indexOf(uvmFolder)}]`;
    const utilityVm = joinWindowsPath(uvmFolder, "UtilityVM");
    const fix = `use a complete base layer, or put an existing sandbox.vhdx in ${plan.scratchFolder}`;
    if ((await lookup(fs, utilityVm))?.kind === "file") {
        return { field, step: SCRATCH_DISK_STEP, reason: `${copy}: ${utilityVm} is a file, not the folder that holds SystemTemplate.vhdx; ${fix}` };
    }
    const template = await lookup(fs, plan.templatePath);
    if (template === undefined) {
        return { field, step: SCRATCH_DISK_STEP, reason: `${copy}: ${plan.templatePath} does not exist (${uvmFolder} has UtilityVM but no template disk in it); ${fix}` };
    }
    if (template.kind === "directory") {
        return { field, step: SCRATCH_DISK_STEP, reason: `${copy}: ${plan.templatePath} is a folder, not the virtual disk file to copy; ${fix}` };
    }
    return undefined;
}

/** The first existing file (not folder) on the way down to `folder`, which mkdir would stop at. */
async function fileOnPathTo(fs: HostFileSystem, folder: string): Promise<string | undefined> {
    const ancestors: string[] = [];
    for (let current = parentWindowsPath(folder); current.length > 3; current = parentWindowsPath(current)) ancestors.unshift(current);
    for (const ancestor of ancestors) {
        const entry = await lookup(fs, ancestor);
        if (entry === undefined) return undefined;
        if (entry.kind === "file") return ancestor;
    }
    return undefined;
}

/** `stat`, with a lookup the host refuses read as "not there" (hcsshim's os.Stat checks read it so). */
async function lookup(fs: HostFileSystem, path: string): Promise<{ readonly kind: "file" | "directory" } | undefined> {
    try {
        return await fs.stat(path);
    } catch (err) {
        if (err instanceof HostFileSystemError) return undefined;
        throw err;
    }
}
