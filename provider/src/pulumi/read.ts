import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { deletableStateOf, inputsOf, type PropertyBag, withoutProviderKey, withoutRetiredOutputs, withResource } from "./property-bags";
import { connectStateHost } from "./state-host";

/**
 * `read` (refresh): a VM that no longer exists, or has stopped, reads as gone, so `pulumi refresh`
 * drops it and the next `up` creates it again. A live VM reports its state, runtime ID, owner and
 * assigned memory; everything else stays as the state recorded it, and the inputs stay the state's
 * (read returns none) so a refresh does not turn into a diff, except for what really drifted (then
 * read returns them all, with the drift):
 * - a VM stuck in `Created` although the program wants it started reports `start: false`, so the
 *   next preview shows the in-place start;
 * - a VM whose scratch disk is gone cannot run; it reads as gone, so the next `up` replaces it (the
 *   create recognises it as this resource's leftover and removes it first).
 *
 * A VM that is gone leaves files behind (its disk, marker and folders); they are released here,
 * exactly as its delete would (only what its owner marker names), since Pulumi is about to forget it.
 *
 * The host is the one the state records (`hostId`), reached at `PULUMI_HCS_HOST` or the state's
 * `host` (connectStateHost); no other host's answer is taken for the VM's.
 *
 * Import does not come through here: the engine asks a dynamic provider to read an import before
 * it has any provider code (pulumi#16175), so the SDK turns the `import` option into `adoptExisting`.
 */
export async function read(id: string, props: PropertyBag = {}): Promise<pulumi.dynamic.ReadResult> {
    const known = withoutRetiredOutputs(withoutProviderKey(props));
    const host = await connectStateHost(known, `read utility VM '${id}'`);
    const observed = await host.refreshVm(deletableStateOf(id, known));
    if (!observed) return {};
    const outputs: PropertyBag = {
        ...known,
        computeSystemId: id,
        state: observed.state,
        runtimeId: observed.runtimeId,
        ...(observed.state === "Created" && known.start === true ? { start: false } : {}),
        ...(observed.owner !== undefined ? { owner: observed.owner } : {}),
        ...(observed.assignedMemoryInMB !== undefined ? { assignedMemoryInMB: observed.assignedMemoryInMB } : {}),
        // A state from before host IDs learns its host's here (with one, the host was chosen by it).
        ...(host.identity !== undefined ? { hostId: host.identity } : {}),
        // A host agent says how the VM's guest connection is now. The direct path holds none between
        // operations, so its refresh learns nothing new of it; a state from before guest connections
        // never had one made by pulumi-hcs.
        guestConnection: observed.guestConnection ?? (typeof known.guestConnection === "string" ? known.guestConnection : "none"),
    };
    // Inputs go back only when an input drifted (start, owner): otherwise the engine keeps the
    // state's own, which is the same values plus check's hidden keys, and is spared comparing and
    // storing two dozen more properties per VM (a third of refresh's cost over the floor; bench).
    const inputs = inputsOf(outputs);
    const refreshed = { id, props: withResource(outputs, props) };
    return isDeepStrictEqual(inputs, inputsOf(known)) ? refreshed : { ...refreshed, inputs };
}
