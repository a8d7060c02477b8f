import { createUtilityVm } from "../uvm/create";
import { deleteUtilityVm } from "../uvm/delete";
import { refreshUtilityVm } from "../uvm/refresh";
import { updateUtilityVm } from "../uvm/update";
import type { TargetHost } from "./target-host";
import type { VmHost } from "./vm-host";

/** A host this process acts on itself, through its HCS binding: the lifecycle runs here. */
export function directVmHost(host: TargetHost): VmHost {
    return {
        name: host.name,
        identity: host.identity,
        facts: () => host.facts(),
        createVm: (request) => createUtilityVm({ ...request, host }),
        refreshVm: (recorded) => refreshUtilityVm(host, recorded),
        updateVm: (request) => updateUtilityVm({ ...request, host }),
        deleteVm: (request) => deleteUtilityVm({ ...request, host }),
    };
}
