import { deleteUtilityVm } from "../uvm/delete";
import { refreshUtilityVm } from "../uvm/refresh";
import type { TargetHost } from "./target-host";
import type { VmHost } from "./vm-host";

// Create and update (the document builder, the guest connection, Hyper-V sockets: a fifth of the
// provider's modules) are required on first use, and from Node's module cache after that: a refresh,
// destroy or preview never needs them, and each Pulumi command starts a new provider process that
// pays for every module it loads.
const uvmCreate = () => require("../uvm/create") as typeof import("../uvm/create"); // eslint-disable-line @typescript-eslint/no-require-imports
const uvmUpdate = () => require("../uvm/update") as typeof import("../uvm/update"); // eslint-disable-line @typescript-eslint/no-require-imports

/** A host this process acts on itself, through its HCS binding: the lifecycle runs here. */
export function directVmHost(host: TargetHost): VmHost {
    return {
        name: host.name,
        identity: host.identity,
        facts: () => host.facts(),
        createVm: (request) => uvmCreate().createUtilityVm({ ...request, host }),
        refreshVm: (recorded) => refreshUtilityVm(host, recorded),
        updateVm: (request) => uvmUpdate().updateUtilityVm({ ...request, host }),
        deleteVm: (request) => deleteUtilityVm({ ...request, host }),
    };
}
