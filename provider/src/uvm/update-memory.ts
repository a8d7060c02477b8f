import type { CallOptions, ComputeSystem } from "../hcs";

/** hcsshim `MemoryResourcePath`. */
const MEMORY_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Memory/SizeInMB";
const PAGES_PER_MB = 256;

/**
 * Resizes a VM's memory (hcsshim `UpdateMemory`): `{ResourcePath, Settings: <MB>}` without a
 * RequestType. `sizeInMB` is already normalized to an even number, as hcsshim normalizes it.
 * Only VA-backed VMs (allowOvercommit) can be resized; the diff replaces the others.
 */
export async function updateMemory(system: ComputeSystem, sizeInMB: number, options: CallOptions): Promise<void> {
    await system.modify({ ResourcePath: MEMORY_RESOURCE_PATH, Settings: sizeInMB }, options);
}

/**
 * The memory HCS reports assigned (hcsshim `GetAssignedMemoryInBytes`, in MB), which its functional
 * test compares against the requested size after an update; `undefined` when HCS does not say.
 */
export async function assignedMemoryInMB(system: ComputeSystem, options: CallOptions): Promise<number | undefined> {
    const pages = (await system.properties(["Memory"], options)).Memory?.VirtualMachineMemory?.AssignedMemory;
    return typeof pages === "number" && pages > 0 ? Math.floor(pages / PAGES_PER_MB) : undefined;
}
