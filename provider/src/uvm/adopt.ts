import { type ComputeSystem, type SystemProperties, isNotFound } from "../hcs";
import { locateUVMFolder } from "../host/locate-uvm-folder";
import { planScratch, type ScratchPlan } from "../host/scratch-plan";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { NIL_GUID } from "../model/guid";
import type { ResolvedOptions } from "../model/resolved-options";
import type { Deadline } from "./deadline";
import { claimScratchOwner, readScratchOwner, writeScratchOwner } from "./scratch-owner";
import { listenForGuest, NO_GUEST_CONNECTION, startUtilityVm, type GuestConnectionOutcome } from "./start-utility-vm";
import type { ObservedSettings, UtilityVmState } from "./state";

const PAGES_PER_MB = 256;

/**
 * Takes over an existing compute system (adoptExisting; the SDK's import option) and records what
 * the VM really is, not what the program says:
 * - the ID must exist (adopting nothing must not create a VM with that ID);
 * - the program's scratch folder must hold the VM's disk: its owner marker, when there is one, must
 *   name this VM; a folder without sandbox.vhdx means the program's layerFolders are not the VM's;
 * - a VM another Pulumi resource manages (another stack's, say) is taken over with a warning: the
 *   marker then names this resource, and the other resource's destroy only forgets the VM instead
 *   of terminating a VM someone else now owns;
 * - the owner, the memory HCS assigned, the CPU group and the terminate-on-close setting are read
 *   from HCS and returned as `observed`, so the state holds the truth and the next preview shows
 *   where the program differs. HCS reports no processor count and no layers for a running VM: those
 *   are recorded as the program has them (docs/architecture.md).
 *
 * Nothing is copied or granted; the VM keeps its runtime ID. The folder's marker is (re)written to
 * name this resource, so ownership moves to it; a disk pulumi-hcs did not copy stays the user's.
 * A Created VM is started when `start` asks for it, as a create would have, guest connection and
 * all; a VM that already runs was connected to by whoever started it (guestConnection `none`).
 * @throws Error naming what does not match.
 */
export async function adoptUtilityVm(host: TargetHost, options: ResolvedOptions, id: string, resource: string | undefined, deadline: Deadline): Promise<UtilityVmState> {
    const uvmFolder = await locateUVMFolder(host.fs, options.layerFolders);
    const plan = planScratch(options.layerFolders, uvmFolder);
    let system: ComputeSystem;
    try {
        system = await host.hcs.openComputeSystem(id, deadline.call());
    } catch (err) {
        if (isNotFound(err)) {
            throw new Error(`there is no compute system '${id}' to adopt on host '${host.name}' (pulumi-hcs ps lists them); remove the import option to create a new VM`, { cause: err });
        }
        throw err;
    }
    try {
        const previous = await checkScratchBelongs(host, plan, id, resource);
        let properties = await system.properties([], deadline.call());
        let guest: GuestConnectionOutcome = NO_GUEST_CONNECTION;
        if (options.start && properties.State === "Created" && properties.RuntimeId !== undefined) {
            const listener = listenForGuest(host, properties.RuntimeId);
            guest = await startUtilityVm({ host, system, runtimeId: properties.RuntimeId, listener, noInheritHostTimezone: options.noInheritHostTimezone, deadline });
            properties = await system.properties([], deadline.call());
        }
        const observed = await observe(system, properties, deadline);
        await writeScratchOwner(host.fs, plan.ownerMarkerPath, {
            computeSystemId: id,
            resource,
            diskOwned: previous?.diskOwned ?? false,
            phase: "created",
            claimedAt: previous?.claimedAt ?? Date.now(),
            runtimeId: properties.RuntimeId,
        });
        const differs = Object.entries(observed).filter(([name, value]) => (options as unknown as Record<string, unknown>)[name] !== value).map(([name]) => name);
        if (differs.length > 0) log.warn({ id, differs, observed }, "the adopted VM differs from the program; the next preview shows it");
        log.info({ id, host: host.name, state: properties.State }, "adopted an existing utility VM");
        return {
            computeSystemId: id,
            runtimeId: properties.RuntimeId ?? "",
            state: properties.State ?? "Unknown",
            uvmFolder,
            scratchPath: plan.scratchPath,
            scratchCreated: previous?.diskOwned ?? false,
            createdFolders: [],
            document: "",
            observed,
            ...guest,
        };
    } finally {
        await system.close(deadline.call());
    }
}

/** The folder's current owner record when it names this VM; throws when the folder is not this VM's. */
async function checkScratchBelongs(host: TargetHost, plan: ScratchPlan, id: string, resource: string | undefined) {
    if ((await host.fs.stat(plan.scratchPath)) === undefined) {
        throw new Error(`the program's scratch disk ${plan.scratchPath} does not exist, so compute system '${id}' was made with other layerFolders; ` +
            `set layerFolders to the VM's own (the last one is the folder holding its sandbox.vhdx)`);
    }
    const content = await readScratchOwner(host.fs, plan.ownerMarkerPath);
    if (content === undefined) {
        // A VM made outside pulumi-hcs: claim its folder, so no other VM is given the same disk.
        const claimed = await claimScratchOwner(host.fs, plan.ownerMarkerPath, { computeSystemId: id, resource, diskOwned: false, phase: "created", claimedAt: Date.now() });
        if (!claimed) throw new Error(`${plan.scratchFolder} was claimed by another create while this one adopted '${id}'; run the adoption again`);
        return undefined;
    }
    if (content.kind === "unreadable") throw new Error(`${plan.ownerMarkerPath} cannot be read, so it is not known whose disk ${plan.scratchPath} is`);
    const owner = content.owner;
    if (owner.computeSystemId.toLowerCase() !== id.toLowerCase()) {
        throw new Error(`${plan.scratchPath} is the scratch disk of compute system '${owner.computeSystemId}', not of '${id}'; ` +
            `set layerFolders to the adopted VM's own`);
    }
    if (owner.resource !== undefined && resource !== undefined && owner.resource !== resource) {
        // The import option names this very VM, so it is taken over, loudly: from now on the marker
        // names this resource, and a destroy of the old one only forgets the VM (uvm/delete.ts).
        log.warn({ id, previousResource: owner.resource, resource },
            `compute system '${id}' was managed by Pulumi resource ${owner.resource}; this resource now owns it, and a destroy of that one will only forget it`);
    }
    return owner;
}

/** What HCS reports of the settings a program sets, where HCS reports them at all. */
async function observe(system: ComputeSystem, basic: SystemProperties, deadline: Deadline): Promise<ObservedSettings> {
    const observed: { -readonly [K in keyof ObservedSettings]: ObservedSettings[K] } = {};
    if (basic.Owner !== undefined) observed.owner = basic.Owner;
    const details = await system.properties(["Memory", "TerminateOnLastHandleClosed"], deadline.call()).catch(() => undefined);
    const pages = details?.Memory?.VirtualMachineMemory?.AssignedMemory;
    if (typeof pages === "number" && pages > 0) observed.memorySizeInMB = Math.floor(pages / PAGES_PER_MB);
    if (typeof details?.TerminateOnLastHandleClosed === "boolean") observed.terminateOnLastHandleClosed = details.TerminateOnLastHandleClosed;
    // Not every build answers CpuGroup (19043 and later); no answer means nothing to record.
    const group = await system.properties(["CpuGroup"], deadline.call()).catch(() => undefined);
    const groupId = group?.CpuGroup?.Id;
    if (typeof groupId === "string") {
        const normalized = groupId.toLowerCase().replace(/[{}]/g, "");
        observed.cpuGroupId = normalized === NIL_GUID ? undefined : normalized;
    }
    return observed;
}
