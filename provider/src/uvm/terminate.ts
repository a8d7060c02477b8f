import { type CallOptions, type ComputeSystem, isAlreadyStopped, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { openIfExists } from "./open-system";

/** Terminate (already stopped or gone is fine), then always close the handle. */
export async function terminateAndClose(system: ComputeSystem, options: CallOptions = {}): Promise<void> {
    try {
        await system.terminate(options);
    } catch (err) {
        if (!isAlreadyStopped(err) && !isNotFound(err)) throw err;
    } finally {
        await system.close(options);
    }
}

/**
 * Terminates the compute system `id` if it exists, so HCS discards it once our handle closes (a
 * leftover of an interrupted create). A system that does not exist is fine.
 * @returns whether there was one.
 */
export async function terminateIfExists(host: TargetHost, id: string, options: CallOptions = {}): Promise<boolean> {
    const system = await openIfExists(host, id, options);
    if (system === undefined) return false;
    await terminateAndClose(system, options);
    return true;
}
