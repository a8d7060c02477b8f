import { type ComputeSystem, isAlreadyStopped, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { joinWindowsPath, parentWindowsPath } from "../model/windows-path";
import { removeOwnedFolders } from "./owned-folders";
import { SCRATCH_OWNER_MARKER } from "../host/scratch-plan";
import { Deadline } from "./deadline";
import { openIfExists } from "./open-system";
import { releaseScratch } from "./scratch-claim";
import { type MarkerContent, namesSystem, readScratchOwner } from "./scratch-owner";
import type { UtilityVmState } from "./state";
import { UvmStepError } from "./step-error";

export interface DeleteUtilityVmRequest {
    readonly host: TargetHost;
    /** `runtimeId` may be empty (a state left by a failed create): then any system with the ID is this one. */
    readonly state: Pick<UtilityVmState, "computeSystemId" | "runtimeId" | "scratchPath" | "scratchCreated">;
    /** The whole delete's budget in ms (the resource's `timeouts.delete`); per-call defaults otherwise. */
    readonly budgetMs?: number | undefined;
    /**
     * The Pulumi resource (URN) deleting the VM, when the state records it. A VM whose owner marker
     * names another resource was adopted by it (the import option): this delete only forgets it.
     */
    readonly resource?: string | undefined;
}

/**
 * Removes a utility VM and exactly the files its create made. Idempotent: a system that is already
 * gone or stopped counts as deleted, and a second delete does nothing.
 *
 * A graceful shutdown comes first, bounded by the `shutdown` timeout (or half of the budget);
 * if the guest does not stop in time, or refuses, the system is terminated. `sandbox.vhdx` and the
 * owner marker are removed only while the marker names this VM, and the disk only if pulumi-hcs
 * copied it; the VM's grant on it is revoked first either way.
 * Folders pulumi-hcs made are removed once empty, from the scratch folder up (see owned-folders.ts).
 *
 * Only this VM: a system with the same ID but another runtime ID is a newer VM (a forced
 * replacement, `pulumi up --replace`, creates the new VM under the same derived ID before deleting
 * the old one), and is left running with its files.
 * @throws UvmStepError when the system cannot be stopped or a file cannot be removed; Pulumi then
 *   keeps the resource, so a later destroy retries.
 */
export async function deleteUtilityVm(request: DeleteUtilityVmRequest): Promise<void> {
    const { host, state } = request;
    const id = state.computeSystemId;
    const deadline = new Deadline(request.budgetMs);
    let step = "failed to read the scratch folder's owner marker";
    try {
        // Nothing recorded (a state written by hand or by an interrupted import): leave files alone.
        const scratch = state.scratchPath === "" ? undefined : await scratchOf(host, state.scratchPath);
        const adopter = adoptedBy(scratch?.content, state, request.resource);
        if (adopter !== undefined) {
            log.warn({ id, adopter }, `compute system '${id}' now belongs to ${adopter}, which adopted it; this delete only forgets it`);
            return;
        }
        step = "failed to open the compute system";
        const system = await openIfExists(host, id, deadline.call());
        if (system) {
            try {
                step = "failed to stop the compute system";
                if (await isAnotherVm(system, state.runtimeId, deadline)) {
                    log.info({ id, runtimeId: state.runtimeId }, "a newer VM has this ID; it is not this resource's to delete");
                    return;
                }
                await stop(system, deadline);
            } finally {
                await system.close(deadline.call());
            }
        }
        if (scratch !== undefined) {
            step = "failed to remove the scratch";
            await releaseOwnScratch(host, state, scratch, deadline);
            step = "failed to remove the scratch folders";
            await removeOwnedFolders(host.fs, scratch.folder);
        }
        log.info({ id, host: host.name }, "deleted utility VM");
    } catch (err) {
        throw new UvmStepError("delete utility VM", id, step, err);
    }
}

/**
 * Revokes the VM's grant and removes the disk and the owner marker, but only while the marker names
 * this VM: after the VM died out of band, another VM (another stack's, say) may have claimed the
 * folder, and its disk is not ours to delete, whatever this state says.
 */
async function releaseOwnScratch(host: TargetHost, state: DeleteUtilityVmRequest["state"], scratch: Scratch, deadline: Deadline): Promise<void> {
    const { computeSystemId: id, scratchPath, scratchCreated } = state;
    const { content, markerPath } = scratch;
    const ours = namesSystem(content, id, state.runtimeId);
    // The grant goes first: on a real host it is an ACL entry on the file, and a revoke needs the
    // file to exist. It is this VM's own entry, so it goes whoever owns the folder now.
    if (await host.fs.stat(scratchPath)) await host.hcs.revokeVmAccess(id, scratchPath, deadline.call());
    if (!ours) {
        if (content !== undefined) log.warn({ id, scratchPath }, "the scratch folder now belongs to another VM; leaving its disk and marker alone");
        else if (scratchCreated) log.warn({ id, scratchPath }, "the scratch disk has no owner marker naming this VM; leaving it alone");
        return;
    }
    await releaseScratch(host, { ownerMarkerPath: markerPath, scratchPath }, id);
}

/** The VM's scratch folder, its owner marker's path, and what the marker said when delete began. */
interface Scratch {
    readonly folder: string;
    readonly markerPath: string;
    readonly content: MarkerContent | undefined;
}

/**
 * Reads the owner marker once, before the VM stops: while it runs no other create can claim the
 * folder, and the removal itself (releaseScratch) reads the marker again before it deletes anything.
 */
async function scratchOf(host: TargetHost, scratchPath: string): Promise<Scratch> {
    const folder = parentWindowsPath(scratchPath);
    const markerPath = joinWindowsPath(folder, SCRATCH_OWNER_MARKER);
    return { folder, markerPath, content: await readScratchOwner(host.fs, markerPath) };
}

/** The resource that adopted this VM since (its owner marker names this VM and another resource), if any. */
function adoptedBy(content: MarkerContent | undefined, state: DeleteUtilityVmRequest["state"], resource: string | undefined): string | undefined {
    if (resource === undefined) return undefined;
    if (!namesSystem(content, state.computeSystemId, state.runtimeId) || content?.kind !== "owner") return undefined;
    const owner = content.owner.resource;
    return owner !== undefined && owner !== resource ? owner : undefined;
}

/** Whether the open system is a different VM than the state's (another runtime ID). */
async function isAnotherVm(system: ComputeSystem, runtimeId: string, deadline: Deadline): Promise<boolean> {
    if (runtimeId === "") return false;
    try {
        const properties = await system.properties([], deadline.call());
        return properties.RuntimeId !== undefined && properties.RuntimeId.toLowerCase() !== runtimeId.toLowerCase();
    } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
    }
}

/** Shutdown, bounded; then terminate if it is still there. Already stopped or gone is success. */
async function stop(system: ComputeSystem, deadline: Deadline): Promise<void> {
    try {
        // Half of a delete budget at most, so a guest that ignores the shutdown still leaves the
        // terminate time to finish within the budget.
        await system.shutdown(deadline.call(0.5));
        return;
    } catch (err) {
        if (isAlreadyStopped(err) || isNotFound(err)) return;
        log.warn({ id: system.id, err: (err as Error).message }, "graceful shutdown failed; terminating");
    }
    try {
        await system.terminate(deadline.call());
    } catch (err) {
        if (!isAlreadyStopped(err) && !isNotFound(err)) throw err;
    }
}
