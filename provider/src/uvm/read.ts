import { type SystemState, isInvalidState, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { openIfExists } from "./open-system";

/** What HCS can tell us about a live utility VM. */
export interface ObservedUtilityVm {
    readonly state: SystemState;
    readonly runtimeId: string;
    readonly owner: string | undefined;
    /** Memory assigned to the VM right now (properties `Memory`, pages of 4 KiB), when HCS reports it. */
    readonly assignedMemoryInMB: number | undefined;
}

const PAGES_PER_MB = 256;

/**
 * Looks the VM up by ID. A system that does not exist, or has stopped, is gone: HCS discards a
 * stopped compute system once its last handle closes, and it can never start again, so Pulumi
 * should drop it and create a new one (`undefined`).
 * @throws HcsError for anything but "not found" (an unreachable host must not read as deleted).
 */
export async function readUtilityVm(host: TargetHost, id: string): Promise<ObservedUtilityVm | undefined> {
    const system = await openIfExists(host, id);
    if (system === undefined) return undefined;
    try {
        // Memory is only answered for a live VM; a stopped one refuses the query as invalid state.
        const properties = await system.properties(["Memory"]).catch((err: unknown) => {
            if (isInvalidState(err)) return system.properties();
            throw err;
        });
        if (properties.State === "Stopped" || properties.Stopped === true) return undefined;
        const pages = properties.Memory?.VirtualMachineMemory?.AssignedMemory;
        return {
            state: properties.State ?? "Unknown",
            runtimeId: properties.RuntimeId ?? "",
            owner: properties.Owner,
            assignedMemoryInMB: typeof pages === "number" ? Math.floor(pages / PAGES_PER_MB) : undefined,
        };
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    } finally {
        await system.close();
    }
}
