// Test program: one WcowUtilityVm per entry of the config value `vms`, a JSON list of
// { name, args, opts } (opts: the resource options that are plain data, e.g. retainOnDelete,
// customTimeouts, replaceOnChanges, deleteBeforeReplace, import). Engine tests change the list
// between runs to create, replace, retain or remove VMs. An argument written
// { "$output": "<name>.<output>" } is that output of an earlier VM in the list, so a test can make
// one VM depend on another.
"use strict";
const pulumi = require("@pulumi/pulumi");
const hcs = require("pulumi-hcs");

const config = new pulumi.Config();
const vms = config.getObject("vms") || [];
const byName = {};
const resolve = (value) =>
    value !== null && typeof value === "object" && typeof value.$output === "string"
        ? byName[value.$output.split(".")[0]][value.$output.split(".")[1]]
        : value;
const created = vms.map((vm) => {
    // Args that are not an object go as they are: tests use them to check what the SDK says.
    const args = vm.args !== null && typeof vm.args === "object" && !Array.isArray(vm.args)
        ? Object.fromEntries(Object.entries(vm.args).map(([key, value]) => [key, resolve(value)]))
        : vm.args;
    return (byName[vm.name] = new hcs.WcowUtilityVm(vm.name, args, vm.opts || {}));
});

exports.ids = pulumi.all(created.map((vm) => vm.computeSystemId));
