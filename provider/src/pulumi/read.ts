import type * as pulumi from "@pulumi/pulumi";
import { readUtilityVm } from "../uvm/read";
import { inputsOf, type PropertyBag, withoutProviderKey } from "./property-bags";
import { connectStateHost } from "./resolve-inputs";

/**
 * `read` (refresh): a VM that no longer exists, or has stopped, reads as gone, so `pulumi refresh`
 * drops it and the next `up` creates it again. A live VM reports its state, runtime ID, owner and
 * assigned memory; everything else stays as the state recorded it, and the inputs are reported back
 * unchanged so a refresh does not turn into a diff.
 *
 * Import does not come through here: the engine asks a dynamic provider to read an import before
 * it has any provider code (pulumi#16175), so the SDK turns the `import` option into `adoptExisting`.
 */
export async function read(id: string, props: PropertyBag = {}): Promise<pulumi.dynamic.ReadResult> {
    const known = withoutProviderKey(props);
    const host = await connectStateHost(known, `read utility VM '${id}'`);
    const observed = await readUtilityVm(host, id);
    if (!observed) return {};
    const outputs: PropertyBag = {
        ...known,
        computeSystemId: id,
        state: observed.state,
        runtimeId: observed.runtimeId,
        ...(observed.owner !== undefined ? { owner: observed.owner } : {}),
        ...(observed.assignedMemoryInMB !== undefined ? { assignedMemoryInMB: observed.assignedMemoryInMB } : {}),
    };
    return { id, props: outputs, inputs: inputsOf(outputs) };
}
