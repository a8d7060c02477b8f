// A utility VM whose compute-system ID comes from @pulumi/random: the ID stays stable across
// updates, and a new UUID (keepers) replaces the VM, deleting the old one first because the ID is
// user-set.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as hcs from "pulumi-hcs";

const config = new pulumi.Config();

const id = new random.RandomUuid("uvm-id", { keepers: { generation: config.get("generation") ?? "1" } });

const vm = new hcs.WcowUtilityVm("named-uvm", {
    computeSystemId: id.result,
    layerFolders: [config.get("baseLayer") ?? "C:\\layers\\servercore", "C:\\uvms\\named-uvm"],
});

export const computeSystemId = vm.computeSystemId;
export const runtimeId = vm.runtimeId;
