import { randomUUID } from "node:crypto";
import { type ComputeSystem, isAlreadyStopped, isNotFound } from "../hcs";
import { buildComputeSystemDocument } from "../document/build-document";
import { marshalDocument } from "../document/marshal";
import { dumpDirectoryProblem } from "../host/dump-directory-problem";
import { locateUVMFolder } from "../host/locate-uvm-folder";
import { planScratch, type ScratchPlan } from "../host/scratch-plan";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import type { ResolvedOptions } from "../model/resolved-options";
import { Deadline } from "./deadline";
import { markOwnedFolders, removeCreatedFolders } from "./owned-folders";
import { Rollback } from "./rollback";
import { computeSystemExists, readScratchOwner, writeScratchOwner } from "./scratch-owner";
import type { UtilityVmState } from "./state";
import { UvmStepError } from "./step-error";

export interface CreateUtilityVmRequest {
    readonly host: TargetHost;
    /** Validated, normalized options (the Pulumi layer's `check` produced them). */
    readonly options: ResolvedOptions;
    /** The whole create's budget in ms (the resource's `timeouts.create`); per-call defaults otherwise. */
    readonly budgetMs?: number | undefined;
}

/**
 * Creates (and, when `options.start`, starts) a utility VM the way hcsshim's `CreateWCOW` does,
 * step for step (reference: hcsshim-wcow §5.1): locate the UVM folder, create the scratch folder,
 * build the document, copy the scratch template or grant access to the existing scratch, grant the
 * VM group the dump directory, create the compute system, read its RuntimeId, start it.
 *
 * Transactional, as Pulumi's `create` contract requires: on any failure everything this call did is
 * undone (system terminated and closed, scratch file and folders it made removed, grants revoked)
 * and one error names the failed step. The handle is closed on success too: with
 * terminateOnLastHandleClosed false (our default) the VM outlives this process.
 * @throws UvmStepError naming the step; `rollbackFailures` lists anything left behind.
 */
export async function createUtilityVm(request: CreateUtilityVmRequest): Promise<UtilityVmState> {
    const { host, options } = request;
    const id = options.computeSystemId ?? randomUUID();
    const rollback = new Rollback();
    const deadline = new Deadline(request.budgetMs);
    const steps = log.child({ id, host: host.name });
    let step = "";
    // What this call has made so far, reported if rollback cannot remove it.
    let made: Partial<UtilityVmState> = { computeSystemId: id };
    try {
        step = "compute system ID is already in use";
        // Before touching any file: a rollback must never revoke grants a live namesake depends on.
        if (await computeSystemExists(host, id)) {
            if (options.adoptExisting) return await adoptUtilityVm(host, options, id, deadline);
            throw new Error(`a compute system with ID '${id}' already exists on host '${host.name}' (set adoptExisting, or use the import resource option, to take it over)`);
        }

        step = "failed to locate utility VM folder from layer folders";
        const uvmFolder = await locateUVMFolder(host.fs, options.layerFolders);
        const plan = planScratch(options.layerFolders, uvmFolder);

        step = "failed to create utility VM scratch folder";
        const createdFolders = await host.fs.mkdirs(plan.scratchFolder);
        made = { ...made, uvmFolder, scratchPath: plan.scratchPath, createdFolders, scratchCreated: false };
        if (createdFolders.length > 0) {
            rollback.add("remove the scratch folders create made", () => removeCreatedFolders(host.fs, createdFolders));
            await markOwnedFolders(host.fs, createdFolders, id);
        }

        step = "error in preparing config doc";
        if (options.dumpDirectoryPath !== undefined) {
            const problem = await dumpDirectoryProblem(host.fs, options.dumpDirectoryPath);
            if (problem !== undefined) throw new Error(problem);
        }
        const document = marshalDocument(buildComputeSystemDocument({ options, computeSystemId: id, uvmFolder, scratchPath: plan.scratchPath }));

        step = "failed to create scratch";
        const scratchCreated = await claimScratch(host, plan, id);
        if (scratchCreated) {
            await host.fs.copyFile(plan.templatePath, plan.scratchPath);
            made = { ...made, scratchCreated: true };
            rollback.add("remove the scratch copied from the template", () => host.fs.removeFile(plan.scratchPath));
            await writeScratchOwner(host.fs, plan.ownerMarkerPath, { computeSystemId: id });
            rollback.add("remove the scratch owner marker", () => host.fs.removeFile(plan.ownerMarkerPath));
        } else {
            step = "failed to grant vm access to scratch";
        }
        await host.hcs.grantVmAccess(id, plan.scratchPath);
        rollback.add("revoke the VM's access to the scratch", () => host.hcs.revokeVmAccess(id, plan.scratchPath));

        if (options.dumpDirectoryPath !== undefined) {
            // Not undone: the "Virtual Machines" group grant is shared by every VM dumping there.
            step = "failed to add SDL to dump directory";
            await host.hcs.grantVmGroupAccess(options.dumpDirectoryPath);
        }

        step = "error while creating the compute system";
        steps.debug({ bytes: document.length }, "creating compute system");
        const created = await host.hcs.createComputeSystem(id, document, deadline.call());
        rollback.add("terminate and close the compute system", () => terminateAndClose(created));

        step = "failed to read the compute system's RuntimeId";
        const properties = await created.properties([], deadline.call());
        const runtimeId = properties.RuntimeId ?? "";

        if (options.start) {
            step = "failed to start the utility VM";
            await created.start(deadline.call());
        }
        await created.close();
        steps.info({ runtimeId, started: options.start, scratchCreated }, "created utility VM");
        return {
            computeSystemId: id,
            runtimeId,
            state: options.start ? "Running" : "Created",
            uvmFolder,
            scratchPath: plan.scratchPath,
            scratchCreated,
            createdFolders,
            document,
        };
    } catch (err) {
        const failures = await rollback.run();
        throw new UvmStepError("create utility VM", id, step, err, failures, failures.length > 0 ? made : undefined);
    }
}

/**
 * Decides whether create copies the template (true) or uses the user's existing sandbox.vhdx
 * (false); see
 * `scratch-owner.ts`. A stale disk of ours is removed (and its dead VM's grant revoked) first.
 * @throws Error when the folder holds the disk of a VM that still exists.
 */
async function claimScratch(host: TargetHost, plan: ScratchPlan, id: string): Promise<boolean> {
    if ((await host.fs.stat(plan.scratchPath)) === undefined) return true;
    const owner = await readScratchOwner(host.fs, plan.ownerMarkerPath);
    if (owner === undefined) return false; // the user's disk
    if (await computeSystemExists(host, owner.computeSystemId)) {
        throw new Error(`${plan.scratchPath} is the scratch disk of compute system '${owner.computeSystemId}', which still exists; ` +
            `give each VM its own scratch folder (the last entry of layerFolders)`);
    }
    log.warn({ id, previousOwner: owner.computeSystemId, scratchPath: plan.scratchPath }, "replacing the stale scratch disk of a VM that no longer exists");
    await host.hcs.revokeVmAccess(owner.computeSystemId, plan.scratchPath);
    await host.fs.removeFile(plan.scratchPath);
    return true;
}

/**
 * Takes over an existing compute system (adoptExisting; the SDK's import option): nothing is copied
 * or granted, the VM keeps its runtime ID, and the files count as not ours, so delete leaves them.
 * A Created VM is started when `start` asks for it, as a create would have.
 */
async function adoptUtilityVm(host: TargetHost, options: ResolvedOptions, id: string, deadline: Deadline): Promise<UtilityVmState> {
    const uvmFolder = await locateUVMFolder(host.fs, options.layerFolders);
    const plan = planScratch(options.layerFolders, uvmFolder);
    const system = await host.hcs.openComputeSystem(id);
    try {
        let properties = await system.properties([], deadline.call());
        if (options.start && properties.State === "Created") {
            await system.start(deadline.call());
            properties = await system.properties([], deadline.call());
        }
        log.info({ id, host: host.name, state: properties.State }, "adopted an existing utility VM");
        return {
            computeSystemId: id,
            runtimeId: properties.RuntimeId ?? "",
            state: properties.State ?? "Unknown",
            uvmFolder,
            scratchPath: plan.scratchPath,
            scratchCreated: false,
            createdFolders: [],
            document: "",
        };
    } finally {
        await system.close();
    }
}

/** Terminate (already stopped or gone is fine), then always close the handle. */
async function terminateAndClose(system: ComputeSystem): Promise<void> {
    try {
        await system.terminate();
    } catch (err) {
        if (!isAlreadyStopped(err) && !isNotFound(err)) throw err;
    } finally {
        await system.close();
    }
}
