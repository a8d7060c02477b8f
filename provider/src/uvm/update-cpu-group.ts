import { type CallOptions, type ComputeSystem, isInvalidState } from "../hcs";
import { sameGuid } from "../model/guid";
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
    if (sameCpuGroup(from, to)) return;
    if (from !== undefined) await setCpuGroup(system, NULL_CPU_GROUP_ID, options);
    if (to !== undefined) await setCpuGroup(system, to, options);
}

/**
 * Whether two CPU group settings name the same group: both none, or the same GUID however spelled
 * (IDs are sent as written, as hcsshim sends them, so `{ABC…}` and `abc…` differ only in spelling).
 */
export function sameCpuGroup(a: string | undefined, b: string | undefined): boolean {
    if (a === undefined || b === undefined) return a === b;
    return a === b || sameGuid(a, b);
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
