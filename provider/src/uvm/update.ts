import { type ComputeSystem, type SystemState, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import type { ResolvedOptions } from "../model/resolved-options";
import { Deadline } from "./deadline";
import { listenForGuest, START_STEPS, StartStepError, startUtilityVm, type GuestConnectionOutcome } from "./start-utility-vm";
import { observedCpuGroup, sameCpuGroup, updateCpuGroup } from "./update-cpu-group";
import { updateCpuLimits } from "./update-cpu-limits";
import { assignedMemoryInMB, updateMemory } from "./update-memory";

/** The settings of a live VM that can change in place (DESIGN §4), as they are now and as wanted. */
export type InPlaceSettings = Pick<ResolvedOptions, "processorLimit" | "processorWeight" | "cpuGroupId" | "memorySizeInMB" | "start">;

export interface UpdateUtilityVmRequest {
    readonly host: TargetHost;
    readonly id: string;
    readonly current: InPlaceSettings & { readonly state: SystemState };
    readonly desired: InPlaceSettings;
    /** Whether a VM started here gets UTC rather than the host's time zone (the resource's input). */
    readonly noInheritHostTimezone?: boolean;
    /** The whole update's budget in ms (the resource's `timeouts.update`). */
    readonly budgetMs?: number | undefined;
}

/** One in-place change HCS did not take, with the reason. */
export interface UpdateFailure {
    /** The input that could not be applied. */
    readonly field: keyof InPlaceSettings;
    readonly message: string;
}

export interface UpdateOutcome {
    /** Inputs now in effect on the VM. */
    readonly applied: readonly (keyof InPlaceSettings)[];
    readonly failures: readonly UpdateFailure[];
    readonly state: SystemState;
    /** When this update started the VM: its guest connection, as the start left it. */
    readonly guest?: GuestConnectionOutcome;
}

/**
 * Applies in-place changes to a live VM with HcsModifyComputeSystem and checks each took effect
 * where HCS can tell (memory through the `Memory` property, the CPU group through `CpuGroup`).
 * Each change is tried even if another failed, and the outcome says precisely which were applied,
 * so the Pulumi layer records a partial update rather than pretending all or nothing.
 *
 * Order: start first (false → true), because HCS applies runtime settings to a running VM. A start
 * is hcsshim's Start, guest connection included (start-utility-vm.ts); when the guest fails to
 * connect the VM is terminated, and the outcome's state says Stopped.
 * @throws Error when the VM no longer exists (there is nothing to update), or HCS cannot be reached
 *   to open it; a change HCS refuses is reported in the outcome, not thrown.
 */
export async function updateUtilityVm(request: UpdateUtilityVmRequest): Promise<UpdateOutcome> {
    const { host, id, current, desired } = request;
    const deadline = new Deadline(request.budgetMs);
    let system: ComputeSystem;
    try {
        system = await host.hcs.openComputeSystem(id, deadline.call());
    } catch (err) {
        if (isNotFound(err)) throw new Error(`Cannot update utility VM '${id}': it no longer exists on host '${host.name}' (run \`pulumi refresh\`, then \`pulumi up\` recreates it)`, { cause: err });
        throw err;
    }
    const applied: (keyof InPlaceSettings)[] = [];
    const failures: UpdateFailure[] = [];
    let state = current.state;
    let guest: GuestConnectionOutcome | undefined;
    const attempt = async (fields: (keyof InPlaceSettings)[], change: () => Promise<void>): Promise<void> => {
        try {
            await change();
            applied.push(...fields);
        } catch (err) {
            const message = (err as Error).message;
            for (const field of fields) failures.push({ field, message });
            log.warn({ id, fields, err: message }, "in-place update failed");
        }
    };
    try {
        if (!current.start && desired.start) {
            await attempt(["start"], async () => {
                if (state !== "Created") throw new Error(`cannot start a VM in state ${state}: only a Created VM can start`);
                const { RuntimeId } = await system.properties([], deadline.call());
                // Bound before the start, as CreateWCOW binds it: the guest dials it as soon as it boots.
                const listener = listenForGuest(host, RuntimeId ?? "");
                try {
                    guest = await startUtilityVm({ host, system, runtimeId: RuntimeId ?? "", listener, noInheritHostTimezone: request.noInheritHostTimezone ?? false, deadline });
                    state = "Running";
                } catch (err) {
                    // Past HcsStartComputeSystem, a failed start terminated the VM.
                    if (err instanceof StartStepError && err.step !== START_STEPS.start && err.step !== START_STEPS.listen) state = "Stopped";
                    throw err;
                }
            });
        }
        if (current.processorLimit !== desired.processorLimit || current.processorWeight !== desired.processorWeight) {
            const fields = (["processorLimit", "processorWeight"] as const).filter((f) => current[f] !== desired[f]);
            const { build } = await host.facts();
            await attempt([...fields], () => updateCpuLimits(system, build, desired.processorLimit, desired.processorWeight, deadline.call()));
        }
        if (!sameCpuGroup(current.cpuGroupId, desired.cpuGroupId)) {
            await attempt(["cpuGroupId"], async () => {
                await updateCpuGroup(system, current.cpuGroupId, desired.cpuGroupId, deadline.call());
                const observed = await observedCpuGroup(system, deadline.call());
                if (observed !== undefined && !sameCpuGroup(observed ?? undefined, desired.cpuGroupId)) {
                    throw new Error(`HCS accepted the CPU group change but reports group ${observed ?? "none"}`);
                }
            });
        }
        if (current.memorySizeInMB !== desired.memorySizeInMB) {
            await attempt(["memorySizeInMB"], async () => {
                await updateMemory(system, desired.memorySizeInMB, deadline.call());
                const assigned = await assignedMemoryInMB(system, deadline.call());
                if (assigned !== undefined && assigned !== desired.memorySizeInMB) {
                    throw new Error(`HCS accepted ${desired.memorySizeInMB} MB but reports ${assigned} MB assigned`);
                }
            });
        }
    } finally {
        await system.close(deadline.call());
    }
    return { applied, failures, state, ...(guest ? { guest } : {}) };
}
