// The pulumi-hcs side of the bench: `count` WcowUtilityVms with the pool example's inputs, on the
// host PULUMI_HCS_HOST names. Nothing is exported, so the program does what the floor's does.
import * as pulumi from "@pulumi/pulumi";
import * as hcs from "pulumi-hcs";
import { benchVmInputs } from "../shared/vm-inputs";

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new hcs.WcowUtilityVm(`vm-${i}`, benchVmInputs(i));
