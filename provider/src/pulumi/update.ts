import type * as pulumi from "@pulumi/pulumi";
import type { SystemState } from "../hcs";
import type { GuestConnectionOutcome } from "../uvm/start-utility-vm";
import type { InPlaceSettings } from "../uvm/update";
import { changedInputs } from "./diff";
import { checkedInputs, type PropertyBag, stateOf, withEngineKeys, withHostId, withoutProviderKey, withoutRetiredOutputs, withResource } from "./property-bags";
import { resolveCheckedInputs } from "./resolve-inputs";
import { expectStateHost } from "./state-host";

/** Inputs HCS applies to the running VM (the others in place are the provider's own). */
const HCS_SETTINGS: readonly (keyof InPlaceSettings)[] = ["processorLimit", "processorWeight", "cpuGroupId", "memorySizeInMB", "start"];

/**
 * `update`: applies the in-place changes (diff sent every replacement elsewhere). Provider-side
 * inputs (noWritableFileShares, networkConfigProxy, timeouts) only change the state. The VM is
 * reached through the program's `host`, which must be the host the state records (`hostId`).
 *
 * When HCS refuses some changes, the error carries the resource ID and the outputs as they really
 * are now (applied changes new, refused ones old), which the engine records as a partial update
 * (ErrorResourceInitFailed): the next `pulumi up` shows and retries exactly the refused changes.
 */
export async function update(id: string, olds: PropertyBag, news: PropertyBag): Promise<pulumi.dynamic.UpdateResult> {
    const previous = withoutRetiredOutputs(withoutProviderKey(olds));
    const { options, host } = await resolveCheckedInputs(news, `update utility VM '${id}'`);
    expectStateHost(host, previous, `update utility VM '${id}'`);
    const desired = checkedInputs(options, news.timeouts);
    const hcsChanges = changedInputs(previous, desired)
        .map((c) => c.field as string)
        .filter((f): f is keyof InPlaceSettings => (HCS_SETTINGS as readonly string[]).includes(f));

    let state = previous.state as SystemState;
    let guest: GuestConnectionOutcome | undefined;
    const failed = new Map<string, string>();
    if (hcsChanges.length > 0) {
        const outcome = await host.updateVm({
            id,
            current: { ...(previous as unknown as InPlaceSettings), state },
            desired: options,
            noInheritHostTimezone: options.noInheritHostTimezone,
            budgetMs: options.timeouts?.update,
        });
        state = outcome.state;
        guest = outcome.guest;
        for (const failure of outcome.failures) failed.set(failure.field, failure.message);
    }

    // `host` is the address the program gives now (another one of the same host changes nothing else).
    const outs: PropertyBag = withHostId(withResource({ ...stateOf(previous), ...desired, state, ...(guest ?? {}) }, olds), "hostId", host.identity);
    for (const field of failed.keys()) {
        if (previous[field] === undefined) delete outs[field];
        else outs[field] = previous[field];
    }
    if (failed.size > 0) {
        const reasons = [...failed].map(([field, message]) => `${field}: ${message}`);
        throw Object.assign(new Error(`Cannot apply every change to utility VM '${id}': ${reasons.join("; ")}`), {
            id,
            // With `__provider`, or the engine could not refresh or destroy the VM afterwards.
            properties: withEngineKeys(outs, news),
            reasons,
        });
    }
    return { outs };
}
