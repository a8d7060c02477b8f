import { type CallOptions, type ComputeSystem, isInvalidState } from "../hcs";
import { HRESULTS, HcsError } from "../hcs";

/** hcsshim `CPUGroupResourcePath`. */
const CPU_GROUP_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Processor/CpuGroup";
/** hcsshim `cpugroup.NullGroupID`: membership in no group. */
export const NULL_CPU_GROUP_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Moves a VM between CPU groups (hcsshim `SetCPUGroup` / `ReleaseCPUGroup`). HCS only lets a VM join
 * a group from the null group, so switching from one group to another goes through the null group
 * first, as hcsshim's comment notes; the VM's CPU is briefly unrestricted in between.
 */
export async function updateCpuGroup(system: ComputeSystem, from: string | undefined, to: string | undefined, options: CallOptions): Promise<void> {
    if (from !== undefined && from !== to) await setCpuGroup(system, NULL_CPU_GROUP_ID, options);
    if (to !== undefined && to !== from) await setCpuGroup(system, to, options);
}

function setCpuGroup(system: ComputeSystem, id: string, options: CallOptions): Promise<void> {
    return system.modify({ ResourcePath: CPU_GROUP_RESOURCE_PATH, Settings: { Id: id } }, options);
}

/**
 * Reads the VM's CPU group back, when HCS answers the `CpuGroup` property (not every build does);
 * `undefined` when the property is not supported, so the caller skips the check rather than fail.
 */
export async function observedCpuGroup(system: ComputeSystem, options: CallOptions): Promise<string | null | undefined> {
    try {
        const id = (await system.properties(["CpuGroup"], options)).CpuGroup?.Id;
        return id === undefined || id === NULL_CPU_GROUP_ID ? null : id.toLowerCase();
    } catch (err) {
        if (err instanceof HcsError && (err.hresult === HRESULTS.HCS_E_INVALID_JSON || isInvalidState(err))) return undefined;
        throw err;
    }
}
