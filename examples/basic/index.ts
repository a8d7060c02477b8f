// One utility VM: the program of DESIGN §1. Layer folders, sizes and limits come from stack config
// so a pipeline (or the end-to-end tests) can change them with `pulumi config set`.
import * as pulumi from "@pulumi/pulumi";
import * as hcs from "pulumi-hcs";

const config = new pulumi.Config();

// `importId` adopts a compute system that already exists instead of creating one (see README, Import).
const importId = config.get("importId");

const vm = new hcs.WcowUtilityVm("build-uvm", {
    layerFolders: config.getObject<string[]>("layerFolders") ?? ["C:\\layers\\servercore", "C:\\uvms\\build-uvm"],
    processorCount: config.getNumber("processorCount") ?? 2,
    memorySizeInMB: config.getNumber("memorySizeInMB") ?? 2048,
    processorLimit: config.getNumber("processorLimit"),
}, importId ? { import: importId } : undefined);

export const computeSystemId = vm.computeSystemId;
export const runtimeId = vm.runtimeId;
export const state = vm.state;
export const processorCount = vm.processorCount;
export const memorySizeInMB = vm.memorySizeInMB;
export const processorLimit = vm.processorLimit;
export const scratchPath = vm.scratchPath;
