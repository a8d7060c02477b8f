import { type ComputeSystem, isAlreadyStopped, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { joinWindowsPath } from "../model/windows-path";
import { removeOwnedFolders } from "./owned-folders";
import { SCRATCH_OWNER_MARKER } from "../host/scratch-plan";
import { Deadline } from "./deadline";
import type { UtilityVmState } from "./state";
import { UvmStepError } from "./step-error";

export interface DeleteUtilityVmRequest {
    readonly host: TargetHost;
    readonly state: Pick<UtilityVmState, "computeSystemId" | "scratchPath" | "scratchCreated">;
    /** The whole delete's budget in ms (the resource's `timeouts.delete`); per-call defaults otherwise. */
    readonly budgetMs?: number | undefined;
}

/**
 * Removes a utility VM and exactly the files its create made. Idempotent: a system that is already
 * gone or stopped counts as deleted, and a second delete does nothing.
 *
 * A graceful shutdown comes first, bounded by the `shutdown` timeout (or half of the budget);
 * if the guest does not stop in time, or refuses, the system is terminated. `sandbox.vhdx` is removed
 * only if create copied it (`scratchCreated`); either way the VM's grant on it is revoked first.
 * Folders pulumi-hcs made are removed once empty, from the scratch folder up (see owned-folders.ts).
 * @throws UvmStepError when the system cannot be stopped or a file cannot be removed; Pulumi then
 *   keeps the resource, so a later destroy retries.
 */
export async function deleteUtilityVm(request: DeleteUtilityVmRequest): Promise<void> {
    const { host, state } = request;
    const id = state.computeSystemId;
    const deadline = new Deadline(request.budgetMs);
    let step = "failed to open the compute system";
    try {
        const system = await openIfExists(host, id);
        if (system) {
            try {
                step = "failed to stop the compute system";
                await stop(system, deadline);
            } finally {
                await system.close();
            }
        }
        step = "failed to remove the scratch";
        if (state.scratchPath === "") {
            // Nothing recorded (a state written by hand or by an interrupted import): leave files alone.
        } else if (await host.fs.stat(state.scratchPath)) {
            // The grant goes first: on a real host it is an ACL entry on the file, and a revoke
            // needs the file to exist.
            await host.hcs.revokeVmAccess(id, state.scratchPath);
            if (state.scratchCreated) {
                await host.fs.removeFile(state.scratchPath);
                await host.fs.removeFile(joinWindowsPath(scratchFolderOf(state.scratchPath), SCRATCH_OWNER_MARKER));
            }
        }
        step = "failed to remove the scratch folders";
        if (state.scratchPath !== "") await removeOwnedFolders(host.fs, scratchFolderOf(state.scratchPath));
        log.info({ id, host: host.name }, "deleted utility VM");
    } catch (err) {
        throw new UvmStepError("delete utility VM", id, step, err);
    }
}

async function openIfExists(host: TargetHost, id: string): Promise<ComputeSystem | undefined> {
    try {
        return await host.hcs.openComputeSystem(id);
    } catch (err) {
        if (isNotFound(err)) return undefined;
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

function scratchFolderOf(scratchPath: string): string {
    return scratchPath.slice(0, scratchPath.lastIndexOf("\\"));
}
