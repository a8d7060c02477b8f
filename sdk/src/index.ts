// pulumi-hcs: Pulumi resources for Windows utility VMs built through the Host Compute Service.
import * as pulumi from "@pulumi/pulumi";
import { findImplementation } from "./implementation";

export { WcowUtilityVm, type WcowUtilityVmArgs, type WcowUtilityVmTimeouts } from "./wcow-utility-vm";

// Every VM's provider loads the implementation package from the SDK (dynamic.ts); without it, each
// VM would fail on its own at preview. Failing here instead says it once, before anything
// registers, in the same words; a RunError is printed by the language host without a stack trace.
const implementation = findImplementation();
if (!implementation.found) throw new pulumi.RunError(implementation.problem);
