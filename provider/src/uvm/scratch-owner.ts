import { isNotFound } from "../hcs";
import type { HostFileSystem } from "../host/filesystem";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";

/**
 * A scratch folder holds one VM's sandbox.vhdx. When create copies the template there, it also
 * writes a small marker naming the VM, so a later create can tell three cases apart that hcsshim
 * (whose shim makes a fresh folder per container) never meets:
 * - no sandbox.vhdx: copy the template (ours);
 * - sandbox.vhdx without a marker: the user's disk; use it, never delete it;
 * - sandbox.vhdx with a marker: ours, made for the VM it names. If that VM still exists the folder is
 *   taken (two VMs must not open one disk); if it is gone (killed, then dropped by `pulumi refresh`),
 *   its disk is stale and is replaced by a fresh copy of the template.
 */
export interface ScratchOwner {
    readonly computeSystemId: string;
}

/** What a marker says, or undefined when there is no (readable) marker. */
export async function readScratchOwner(fs: HostFileSystem, markerPath: string): Promise<ScratchOwner | undefined> {
    const text = await fs.readText(markerPath);
    if (text === undefined) return undefined;
    try {
        const marker = JSON.parse(text) as Partial<ScratchOwner>;
        return typeof marker.computeSystemId === "string" ? { computeSystemId: marker.computeSystemId } : undefined;
    } catch {
        log.warn({ markerPath }, "ignoring an unreadable scratch owner marker");
        return undefined;
    }
}

export function writeScratchOwner(fs: HostFileSystem, markerPath: string, owner: ScratchOwner): Promise<void> {
    const note = "sandbox.vhdx in this folder was copied by pulumi-hcs for this compute system";
    return fs.writeText(markerPath, `${JSON.stringify({ ...owner, note })}\n`);
}

/** Whether a compute system with this ID exists on the host right now. */
export async function computeSystemExists(host: TargetHost, id: string): Promise<boolean> {
    try {
        const system = await host.hcs.openComputeSystem(id);
        await system.close();
        return true;
    } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
    }
}
