// A pool of utility VMs for CI workers: the size comes from config, and every VM gets the same
// per-VM processor limit and weight. The `vms` output is a table of what each VM became.
import * as pulumi from "@pulumi/pulumi";
import * as hcs from "pulumi-hcs";

const config = new pulumi.Config();
const count = config.getNumber("count") ?? 3;
const baseLayer = config.get("baseLayer") ?? "C:\\layers\\servercore";
const scratchRoot = config.get("scratchRoot") ?? "C:\\uvms\\pool";

const vms = Array.from({ length: count }, (_, i) => new hcs.WcowUtilityVm(`pool-${i}`, {
    layerFolders: [baseLayer, `${scratchRoot}\\vm-${i}`],
    owner: "ci-pool",
    processorCount: config.getNumber("processorCount") ?? 2,
    memorySizeInMB: config.getNumber("memorySizeInMB") ?? 1024,
    processorLimit: config.getNumber("processorLimit") ?? 50000,
    processorWeight: config.getNumber("processorWeight") ?? 200,
}));

export const vmTable = pulumi.all(vms.map((vm) => pulumi.all([vm.computeSystemId, vm.runtimeId, vm.state, vm.processorLimit])))
    .apply((rows) => rows.map(([id, runtimeId, state, limit]) => ({ id, runtimeId, state, processorLimit: limit })));
export const vmCount = vms.length;
