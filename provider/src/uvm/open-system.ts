import { type CallOptions, type ComputeSystem, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";

/**
 * Opens compute system `id`, or resolves to undefined when the host has no such system. Any other
 * failure is thrown: an unreachable host must never read as "the VM is gone".
 */
export async function openIfExists(host: TargetHost, id: string, options: CallOptions = {}): Promise<ComputeSystem | undefined> {
    try {
        return await host.hcs.openComputeSystem(id, options);
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}
