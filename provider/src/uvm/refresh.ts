import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { deleteUtilityVm, type DeleteUtilityVmRequest } from "./delete";
import { type ObservedUtilityVm, readUtilityVm } from "./read";

/**
 * What a refresh learns of a VM: how HCS sees it now, or `undefined` when it is gone for Pulumi's
 * purposes (no longer exists, stopped, or its scratch disk is gone so it can never run again).
 *
 * A VM that is gone leaves files behind (its disk, marker and folders); they are released here,
 * exactly as its delete would (only what its owner marker names), since Pulumi is about to forget it.
 * @throws HcsError when HCS cannot answer (an unreachable host must not read as deleted).
 */
export async function refreshUtilityVm(host: TargetHost, recorded: DeleteUtilityVmRequest["state"]): Promise<ObservedUtilityVm | undefined> {
    const id = recorded.computeSystemId;
    const observed = await readUtilityVm(host, id);
    if (!observed) {
        await deleteUtilityVm({ host, state: recorded });
        return undefined;
    }
    const { scratchPath } = recorded;
    if (scratchPath !== "" && (await host.fs.stat(scratchPath)) === undefined) {
        log.warn({ id, scratchPath }, "the VM's scratch disk is gone; it reads as gone, and the next up replaces it");
        return undefined;
    }
    return observed;
}
