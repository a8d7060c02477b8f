import type * as pulumi from "@pulumi/pulumi";
import { UvmStepError } from "../uvm/step-error";
import { checkedInputs, outputsOf, type PropertyBag, resourceOf, withEngineKeys, withHostId, withResource } from "./property-bags";
import { resolveCheckedInputs } from "./resolve-inputs";

/**
 * `create`: the CreateWCOW steps on the target host; the resource ID is the compute-system ID.
 *
 * Pulumi's create is transactional: a failure must leave nothing behind, and createUtilityVm rolls
 * back. When even the rollback fails, the error carries the ID and what was left behind, which the
 * engine records as a resource that failed to initialize, so `pulumi destroy` can still remove it.
 */
export async function create(inputs: PropertyBag): Promise<pulumi.dynamic.CreateResult> {
    const { options, host } = await resolveCheckedInputs(inputs, "create the utility VM");
    // The host's identity goes with the inputs into every state this create leaves, failed ones too.
    const checked = withHostId(checkedInputs(options, inputs.timeouts), "hostId", host.identity);
    try {
        const state = await host.createVm({ options, budgetMs: options.timeouts?.create, resource: resourceOf(inputs) });
        // An adopted VM's outputs say what HCS reports it has, so the next preview shows the difference.
        const { observed, ...lifecycle } = state;
        // The URN stays in the state: a delete checks that the VM still belongs to this resource.
        const outs: PropertyBag = withResource({ ...outputsOf(checked, lifecycle), ...(observed ?? {}) }, inputs);
        if (observed && "cpuGroupId" in observed && observed.cpuGroupId === undefined) delete outs.cpuGroupId;
        return { id: state.computeSystemId, outs };
    } catch (err) {
        if (err instanceof UvmStepError && err.leftBehind?.computeSystemId !== undefined) {
            throw Object.assign(err, {
                id: err.leftBehind.computeSystemId,
                // With `__provider`, or the engine could not refresh or destroy what is left behind.
                properties: withEngineKeys({ ...checked, state: "Unknown", runtimeId: "", ...err.leftBehind }, inputs),
                // The engine shows only these for a resource that failed to initialize: the original
                // failure first, then what the rollback could not undo.
                reasons: [
                    `${err.step}: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}`,
                    ...err.rollbackFailures.map((f) => `rollback could not ${f.step}: ${f.error.message}`),
                ],
            });
        }
        throw err;
    }
}
