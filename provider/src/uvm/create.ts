import { type ComputeSystem, isAlreadyExists, isServiceUnavailable, isTimeout } from "../hcs";
import { buildComputeSystemDocument } from "../document/build-document";
import { marshalDocument } from "../document/marshal";
import { describeHostFileProblem, hostFileProblems, type HostFileProblem } from "../host/host-file-problems";
import { locateUVMFolder } from "../host/locate-uvm-folder";
import { planScratch, type ScratchPlan } from "../host/scratch-plan";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import type { ResolvedOptions } from "../model/resolved-options";
import { adoptUtilityVm } from "./adopt";
import { Deadline } from "./deadline";
import { markOwnedFolders, removeCreatedFolders } from "./owned-folders";
import { Rollback } from "./rollback";
import { computeSystemIdFor, isDerivedId } from "./identity";
import { claimScratchFolder, recordClaim, releaseScratch } from "./scratch-claim";
import { computeSystemExists, namesSystem, readScratchOwner } from "./scratch-owner";
import { listenForGuest, NO_GUEST_CONNECTION, START_STEPS, StartStepError, startUtilityVm, type GuestConnectionOutcome } from "./start-utility-vm";
import { terminateAndClose, terminateIfExists } from "./terminate";
import type { UtilityVmState } from "./state";
import { UvmStepError } from "./step-error";

export interface CreateUtilityVmRequest {
    readonly host: TargetHost;
    /** Validated, normalized options (the Pulumi layer's `check` produced them). */
    readonly options: ResolvedOptions;
    /** The whole create's budget in ms (the resource's `timeouts.create`); per-call defaults otherwise. */
    readonly budgetMs?: number | undefined;
    /**
     * The Pulumi resource (URN) the VM is created for. It names the VM in the scratch folder's owner
     * marker and, when the program sets no computeSystemId, derives the ID (identity.ts).
     */
    readonly resource?: string | undefined;
}

/**
 * Creates (and, when `options.start`, starts) a utility VM the way hcsshim's `CreateWCOW` does,
 * step for step (reference: hcsshim-wcow §5.1): locate the UVM folder, create the scratch folder,
 * build the document, copy the scratch template or grant access to the existing scratch, grant the
 * VM group the dump directory, create the compute system, read its RuntimeId, bind the GCS listener,
 * start it and connect to its guest (start-utility-vm.ts: the connection ends with this call).
 *
 * Transactional, as Pulumi's `create` contract requires: on any failure everything this call did is
 * undone (system terminated and closed, scratch file and folders it made removed, grants revoked)
 * and one error names the failed step. The handle is closed on success too: with
 * terminateOnLastHandleClosed false (our default) the VM outlives this process.
 * @throws UvmStepError naming the step; `rollbackFailures` lists anything left behind.
 */
export async function createUtilityVm(request: CreateUtilityVmRequest): Promise<UtilityVmState> {
    const { host, options, resource } = request;
    const id = computeSystemIdFor(options, resource);
    const rollback = new Rollback();
    const deadline = new Deadline(request.budgetMs);
    // Undo steps run on their own budget, set when the create fails (a hung step may have used it all).
    let cleanup = deadline.forCleanup();
    // Set while a created system has not been terminated by the rollback.
    let systemMayRemain = false;
    const steps = log.child({ id, host: host.name });
    let step = "";
    // What this call has made so far, reported if rollback cannot remove it.
    let made: Partial<UtilityVmState> = { computeSystemId: id };
    try {
        step = "failed to locate utility VM folder from layer folders";
        const uvmFolder = await locateUVMFolder(host.fs, options.layerFolders);
        const plan = planScratch(options.layerFolders, uvmFolder);

        if (options.adoptExisting) {
            step = "cannot adopt the compute system";
            return await adoptUtilityVm(host, options, id, resource, deadline);
        }

        step = "compute system ID is already in use";
        // Before touching any file: a rollback must never revoke grants a live namesake depends on.
        if (await computeSystemExists(host, id, deadline.call())) {
            if (!(await isOwnLeftover(host, plan, id, options, resource))) {
                throw new Error(`a compute system with ID '${id}' already exists on host '${host.name}' (set adoptExisting, or use the import resource option, to take it over)`);
            }
            steps.warn("removing an earlier VM of this resource under the same ID (the leftover of an interrupted create, or the VM a forced replacement replaces)");
            await terminateIfExists(host, id, deadline.call());
        }

        // Before changing anything: what CreateWCOW would fail on in the host's files, all of it at once.
        step = "the host's files do not fit the inputs";
        const problems = await hostFileProblems(host.fs, { layerFolders: options.layerFolders, uvmFolder, dumpDirectoryPath: options.dumpDirectoryPath });
        if (problems.length > 0) {
            step = problems[0]!.step;
            throw new Error(describeProblems(problems));
        }

        step = "failed to create utility VM scratch folder";
        const createdFolders = await host.fs.mkdirs(plan.scratchFolder);
        made = { ...made, uvmFolder, scratchPath: plan.scratchPath, createdFolders, scratchCreated: false };
        if (createdFolders.length > 0) {
            rollback.add("remove the scratch folders create made", () => removeCreatedFolders(host.fs, createdFolders));
            await markOwnedFolders(host.fs, createdFolders, id);
        }

        step = "failed to claim the scratch folder";
        let claim = await claimScratchFolder(host, plan, { computeSystemId: id, resource }, deadline);
        rollback.add("release the scratch folder (its marker, and the disk if create copied it)", async () => {
            // Never pull the disk from under a VM that may still exist (the host died before we
            // could terminate it): the state keeps the VM, and its delete releases the folder.
            if (systemMayRemain) throw new Error(`kept ${plan.scratchPath}: compute system '${id}' may still exist`);
            await releaseScratch(host, plan, id);
        });

        step = "error in preparing config doc";
        const document = marshalDocument(buildComputeSystemDocument({ options, computeSystemId: id, uvmFolder, scratchPath: plan.scratchPath }));

        const scratchCreated = claim.copyTemplate;
        if (scratchCreated) {
            step = "failed to create scratch";
            // The marker says the disk is ours before the disk exists, so a crash mid-copy leaves
            // nothing a later create or delete would not recognise and remove.
            claim = { ...claim, owner: { ...claim.owner, diskOwned: true } };
            await recordClaim(host, plan, claim.owner);
            await host.fs.copyFile(plan.templatePath, plan.scratchPath);
            made = { ...made, scratchCreated: true };
        }
        step = "failed to grant vm access to scratch";
        await host.hcs.grantVmAccess(id, plan.scratchPath, deadline.call());
        rollback.add("revoke the VM's access to the scratch", () => host.hcs.revokeVmAccess(id, plan.scratchPath, cleanup.call()));

        if (options.dumpDirectoryPath !== undefined) {
            // Not undone: the "Virtual Machines" group grant is shared by every VM dumping there.
            step = "failed to add SDL to dump directory";
            await host.hcs.grantVmGroupAccess(options.dumpDirectoryPath, deadline.call());
        }

        step = "error while creating the compute system";
        // The document is no output (a quarter of the state the engine rewrites per step): debug shows it.
        steps.debug({ bytes: document.length, document }, "creating compute system");
        const created = await createComputeSystem(host, id, document, deadline, isDerivedId(id, options, resource)).catch((err: unknown) => {
            if (isTimeout(err) || isServiceUnavailable(err)) {
                // The host may still make the system after we gave up on it: remove it if it did.
                rollback.add("terminate the compute system if the unanswered create made it", async () => {
                    systemMayRemain = true;
                    await terminateIfExists(host, id, cleanup.call());
                    systemMayRemain = false;
                });
            }
            throw err;
        });
        rollback.add("terminate and close the compute system", async () => {
            systemMayRemain = true;
            await terminateAndClose(created, cleanup.call());
            systemMayRemain = false;
        });

        step = "failed to read the compute system's RuntimeId";
        const properties = await created.properties([], deadline.call());
        const runtimeId = properties.RuntimeId ?? "";
        await recordClaim(host, plan, { ...claim.owner, phase: "created", runtimeId });

        let guest: GuestConnectionOutcome = NO_GUEST_CONNECTION;
        if (options.start) {
            // CreateWCOW's last step binds the GCS listener, and Start accepts the guest on it. Bound
            // only when this operation starts the VM: the listener would not outlive this process.
            step = START_STEPS.listen;
            const listener = listenForGuest(host, runtimeId);
            rollback.add("close the GCS listener", () => Promise.resolve(listener.close()));
            step = START_STEPS.start;
            guest = await startUtilityVm({ host, system: created, runtimeId, listener, noInheritHostTimezone: options.noInheritHostTimezone, deadline });
        }
        await created.close(deadline.call());
        steps.info({ runtimeId, started: options.start, scratchCreated, guestConnection: guest.guestConnection }, "created utility VM");
        return {
            computeSystemId: id,
            runtimeId,
            state: options.start ? "Running" : "Created",
            uvmFolder,
            scratchPath: plan.scratchPath,
            scratchCreated,
            createdFolders,
            document,
            ...guest,
        };
    } catch (err) {
        cleanup = deadline.forCleanup();
        const failures = await rollback.run();
        // A start reports the step of its own that failed (hcsshim's Start has several).
        const [failedStep, cause] = err instanceof StartStepError ? [err.step, err.cause] : [step, err];
        throw new UvmStepError("create utility VM", id, failedStep, cause, failures, failures.length > 0 ? made : undefined);
    }
}

/** The first problem's reason (its step heads the error), then each other one with its step. */
function describeProblems(problems: readonly HostFileProblem[]): string {
    const [first, ...others] = problems;
    const also = others.map((p) => `; and ${p.field}: ${describeHostFileProblem(p)}`).join("");
    return `${first!.reason} (${first!.field})${also}`;
}

/**
 * HcsCreateComputeSystem. A system with a derived ID that appears while we create (the create of an
 * interrupted predecessor, completing late on the host) is this resource's leftover: it is removed
 * and the create tried once more.
 */
async function createComputeSystem(host: TargetHost, id: string, document: string, deadline: Deadline, derived: boolean): Promise<ComputeSystem> {
    try {
        return await host.hcs.createComputeSystem(id, document, deadline.call());
    } catch (err) {
        if (!derived || !isAlreadyExists(err)) throw err;
        log.warn({ id }, "a leftover of an interrupted create of this resource appeared; removing it and creating again");
        await terminateIfExists(host, id, deadline.call());
        return await host.hcs.createComputeSystem(id, document, deadline.call());
    }
}

/**
 * Whether an existing system with this ID is what an interrupted create of this same resource left
 * behind: the ID is the one this resource derives (no one else derives it), or the folder's marker
 * names both this ID and this resource.
 */
async function isOwnLeftover(host: TargetHost, plan: ScratchPlan, id: string, options: ResolvedOptions, resource: string | undefined): Promise<boolean> {
    if (isDerivedId(id, options, resource)) return true;
    if (resource === undefined) return false;
    const content = await readScratchOwner(host.fs, plan.ownerMarkerPath);
    return namesSystem(content, id) && content?.kind === "owner" && content.owner.resource === resource;
}
