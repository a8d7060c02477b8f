import { isTemporaryName } from "../host/filesystem";
import { SCRATCH_OWNER_MARKER, type ScratchPlan } from "../host/scratch-plan";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import {
    CLAIM_LEASE_MS, type MarkerContent, type ScratchOwner, claimScratchOwner, computeSystemExists, namesSystem, readScratchOwner,
    writeScratchOwner,
} from "./scratch-owner";
import { parentWindowsPath } from "../model/windows-path";
import type { Deadline } from "./deadline";
import { FOLDER_MARKER } from "./owned-folders";
import { terminateIfExists } from "./terminate";

/** Who is claiming a scratch folder. */
export interface Claimant {
    readonly computeSystemId: string;
    /** The Pulumi resource's URN, when the SDK passed it. */
    readonly resource: string | undefined;
}

/** A folder this create now holds: whether the template still has to be copied to sandbox.vhdx. */
export interface ScratchClaim {
    readonly copyTemplate: boolean;
    readonly owner: ScratchOwner;
}

/** The folder belongs to another VM (or another create is making one there). */
export class ScratchTakenError extends Error {
    override readonly name = "ScratchTakenError";
}

const ATTEMPTS = 3;

/**
 * Claims the scratch folder for one VM before anything is written there: the owner marker is
 * created with create-new semantics, so of any number of racing creates (one `up` at default
 * parallelism, two stacks, two hosts' agents on one share) exactly one wins. A marker already there
 * is judged (see `judge`): another live VM's folder is refused with how to proceed; the leftover of
 * an interrupted create of this same resource, or of a VM that no longer exists, is cleaned up and
 * the claim is tried again.
 *
 * With a fresh claim, an existing sandbox.vhdx is the user's own disk (no marker means pulumi-hcs did
 * not copy it): it is used and never deleted.
 * @throws ScratchTakenError when the folder is taken.
 */
export async function claimScratchFolder(host: TargetHost, plan: ScratchPlan, claimant: Claimant, deadline: Deadline, now: () => number = Date.now): Promise<ScratchClaim> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const owner: ScratchOwner = { ...claimant, diskOwned: false, phase: "claimed", claimedAt: now() };
        if (await claimScratchOwner(host.fs, plan.ownerMarkerPath, owner)) {
            return { copyTemplate: (await host.fs.stat(plan.scratchPath)) === undefined, owner };
        }
        const content = await readScratchOwner(host.fs, plan.ownerMarkerPath);
        if (content === undefined) continue; // released meanwhile: claim again
        const verdict = await judge(host, plan, claimant, content, now(), deadline);
        if (verdict.kind === "taken") throw new ScratchTakenError(verdict.message);
        log.warn({ id: claimant.computeSystemId, previousOwner: verdict.owner.computeSystemId, scratchPath: plan.scratchPath, reason: verdict.reason },
            "taking over a scratch folder left behind");
        await releaseLeftover(host, plan, verdict.owner, deadline);
    }
    throw new ScratchTakenError(`the owner marker ${plan.ownerMarkerPath} changed ${ATTEMPTS} times while this create claimed it: another create is racing for the folder; give each VM its own scratch folder`);
}

/**
 * Removes what a claim made, when the marker still names `id`: the disk (only when pulumi-hcs copied
 * it for this VM), then the marker. A folder another VM has claimed since is left alone.
 * @returns whether the marker named `id`.
 */
export async function releaseScratch(host: TargetHost, plan: Pick<ScratchPlan, "ownerMarkerPath" | "scratchPath">, id: string): Promise<boolean> {
    const content = await readScratchOwner(host.fs, plan.ownerMarkerPath);
    if (!namesSystem(content, id) || content?.kind !== "owner") return false;
    if (content.owner.diskOwned) await host.fs.removeFile(plan.scratchPath);
    await host.fs.removeFile(plan.ownerMarkerPath);
    await removeTemporaryMarkers(host, plan.ownerMarkerPath);
    return true;
}

/** Removes what marker writes killed mid-way left beside the marker (the folder is ours to clean). */
async function removeTemporaryMarkers(host: TargetHost, markerPath: string): Promise<void> {
    const folder = parentWindowsPath(markerPath);
    for (const entry of (await host.fs.listNames(folder)) ?? []) {
        if (isTemporaryName(entry, SCRATCH_OWNER_MARKER) || isTemporaryName(entry, FOLDER_MARKER)) await host.fs.removeFile(`${folder}\\${entry}`);
    }
}

/** The holder of a claim records a step of its create in the marker. */
export function recordClaim(host: TargetHost, plan: ScratchPlan, owner: ScratchOwner): Promise<void> {
    return writeScratchOwner(host.fs, plan.ownerMarkerPath, owner);
}

type Verdict =
    | { readonly kind: "taken"; readonly message: string }
    | { readonly kind: "leftover"; readonly owner: ScratchOwner; readonly reason: string };

/** Whether a marker found in the folder still holds it. */
async function judge(host: TargetHost, plan: ScratchPlan, claimant: Claimant, content: MarkerContent, at: number, deadline: Deadline): Promise<Verdict> {
    if (content.kind === "unreadable") {
        return {
            kind: "taken",
            message: `${plan.ownerMarkerPath} is not a pulumi-hcs owner marker we can read, so the folder may belong to another VM; ` +
                `if no VM uses ${plan.scratchPath}, remove the marker and run the create again`,
        };
    }
    const owner = content.owner;
    if (owner.computeSystemId.toLowerCase() === claimant.computeSystemId.toLowerCase()) {
        // The same VM's ID: an earlier attempt at this very create (create removed a system with
        // this ID before claiming), interrupted after it claimed the folder.
        return { kind: "leftover", owner, reason: "an earlier VM of this resource under the same ID (an interrupted create, or a forced replacement)" };
    }
    if (claimant.resource !== undefined && owner.resource === claimant.resource) {
        return { kind: "leftover", owner, reason: "an interrupted create of this resource with other inputs" };
    }
    const whose = `compute system '${owner.computeSystemId}'${owner.resource !== undefined ? ` (Pulumi resource ${owner.resource})` : ""}`;
    if (await computeSystemExists(host, owner.computeSystemId, deadline.call())) {
        return {
            kind: "taken",
            message: `${plan.scratchFolder} is the scratch folder of ${whose}, which still exists on the host; two VMs must not share one sandbox.vhdx ` +
                `(and Windows folder names compare case-insensitively). If that resource is still in a program, give this VM another scratch folder ` +
                `(the last entry of layerFolders). If it was removed but its VM kept (retainOnDelete, 'pulumi state delete'), adopt the VM with ` +
                `the import resource option ({ import: "${owner.computeSystemId}" }), or, if nothing needs it, remove it and its disk with ` +
                `${rmCommand(owner.computeSystemId, plan.scratchFolder)}`,
        };
    }
    if (owner.phase === "claimed" && at - owner.claimedAt < CLAIM_LEASE_MS) {
        const since = new Date(owner.claimedAt).toISOString();
        const lapses = new Date(owner.claimedAt + CLAIM_LEASE_MS).toISOString();
        return {
            kind: "taken",
            message: `${plan.scratchFolder} was claimed at ${since} by ${whose}, whose create has not finished; two VMs must not share one ` +
                `sandbox.vhdx (and Windows folder names compare case-insensitively), so give this VM another scratch folder (the last entry of ` +
                `layerFolders). If that create was interrupted, its claim lapses at ${lapses}, or release it now with ` +
                `${rmCommand(owner.computeSystemId, plan.scratchFolder)}`,
        };
    }
    return { kind: "leftover", owner, reason: owner.phase === "claimed" ? "an abandoned claim" : "its VM no longer exists" };
}

/** The command that releases a folder, quoted for a POSIX shell (backslashes survive single quotes). */
function rmCommand(id: string, folder: string): string {
    return `pulumi-hcs rm '${id}' --scratch '${folder}'`;
}

/** Removes a leftover's VM (it is this resource's, or gone), its grant, its disk if ours, its marker. */
async function releaseLeftover(host: TargetHost, plan: ScratchPlan, owner: ScratchOwner, deadline: Deadline): Promise<void> {
    await terminateIfExists(host, owner.computeSystemId, deadline.call());
    if ((await host.fs.stat(plan.scratchPath)) !== undefined) await host.hcs.revokeVmAccess(owner.computeSystemId, plan.scratchPath, deadline.call());
    await releaseScratch(host, plan, owner.computeSystemId);
}
