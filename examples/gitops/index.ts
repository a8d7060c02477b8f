// Utility-VM pools on two Windows hosts, each reached through its host agent (`grpcs://`, docs/agent.md),
// declared for a GitOps pipeline to keep true: pipeline/reconcile.sh checks the hosts against this
// program on a schedule, reports drift, and (with REMEDIATE=1) repairs it (README.md).
//
// Stack config (what a team commits in Pulumi.<stack>.yaml):
//   hostA, hostB      the two agents' addresses, `grpcs://<name>:<port>` (required)
//   poolSize          VMs per host (default 2)
//   processorLimit    each VM's processor cap, 0..100000 where 100000 is 100% (default 50000)
//   baseLayer         the base layer folder on both hosts (default C:\layers\servercore)
// The agent client's certificate is not config: the provider reads it from PULUMI_HCS_AGENT_* (docs/agent.md).
import * as pulumi from "@pulumi/pulumi";
import * as hcs from "pulumi-hcs";

const config = new pulumi.Config();
const hosts = { a: config.require("hostA"), b: config.require("hostB") };
const poolSize = config.getNumber("poolSize") ?? 2;
const processorLimit = config.getNumber("processorLimit") ?? 50000;
const baseLayer = config.get("baseLayer") ?? "C:\\layers\\servercore";

// One pool per host: `pool-<host label>-<i>`, each VM with a scratch folder of its own under C:\uvms
// (an agent refuses folders outside its --scratch-root).
const vms = Object.entries(hosts).flatMap(([label, host]) =>
    Array.from({ length: poolSize }, (_, i) => new hcs.WcowUtilityVm(`pool-${label}-${i}`, {
        host,
        layerFolders: [baseLayer, `C:\\uvms\\gitops\\${label}-${i}`],
        owner: "gitops-pool",
        processorLimit,
    })));

/** One row per VM: where it runs and what it is now (after `up`). */
export const pool = pulumi.all(vms.map((vm) => pulumi.all([vm.urn, vm.host, vm.computeSystemId, vm.state])))
    .apply((rows) => rows.map(([urn, host, id, state]) => ({ name: urn.split("::").pop(), host, id, state })));
export const vmCount = vms.length;
