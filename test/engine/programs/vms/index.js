// Test program: one WcowUtilityVm per entry of the config value `vms`, a JSON list of
// { name, args, opts } (opts: the resource options that are plain data, e.g. retainOnDelete,
// customTimeouts, replaceOnChanges, deleteBeforeReplace, import). Engine tests change the list
// between runs to create, replace, retain or remove VMs.
"use strict";
const pulumi = require("@pulumi/pulumi");
const hcs = require("pulumi-hcs");

const config = new pulumi.Config();
const vms = config.getObject("vms") || [];
const created = vms.map((vm) => new hcs.WcowUtilityVm(vm.name, vm.args, vm.opts || {}));

exports.ids = pulumi.all(created.map((vm) => vm.computeSystemId));
