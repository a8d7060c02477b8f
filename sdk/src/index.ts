// pulumi-hcs: Pulumi resources for Windows utility VMs built through the Host Compute Service.
export { WcowUtilityVm, type WcowUtilityVmArgs, type WcowUtilityVmTimeouts } from "./wcow-utility-vm";
