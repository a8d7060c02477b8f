import type * as pulumi from "@pulumi/pulumi";
import { locateUVMFolder } from "../host/locate-uvm-folder";
import { planScratch } from "../host/scratch-plan";
import { readUtilityVm } from "../uvm/read";
import { inputsOf, type PropertyBag, withoutProviderKey } from "./property-bags";
import { connectStateHost } from "./resolve-inputs";

/**
 * `read` (refresh and import): a VM that no longer exists, or has stopped, reads as gone, so
 * `pulumi refresh` drops it and the next `up` creates it again. A live VM reports its state,
 * runtime ID, owner and assigned memory; everything else stays as the state recorded it.
 *
 * On import (`import: id`) the engine passes the program's inputs instead of outputs: the outputs
 * HCS cannot tell us are rebuilt from them (UVM folder and scratch path located again), and the
 * scratch counts as not ours, so a later delete leaves `sandbox.vhdx` in place.
 */
export async function read(id: string, props: PropertyBag = {}): Promise<pulumi.dynamic.ReadResult> {
    const known = withoutProviderKey(props);
    const host = await connectStateHost(known, `read utility VM '${id}'`);
    const observed = await readUtilityVm(host, id);
    if (!observed) return {};
    const imported = known.runtimeId === undefined;
    const outputs: PropertyBag = {
        ...known,
        ...(imported ? await rebuiltOutputs(host, known) : {}),
        computeSystemId: id,
        state: observed.state,
        runtimeId: observed.runtimeId,
        ...(observed.owner !== undefined ? { owner: observed.owner } : {}),
        ...(observed.assignedMemoryInMB !== undefined ? { assignedMemoryInMB: observed.assignedMemoryInMB } : {}),
    };
    return { id, props: outputs, inputs: inputsOf(outputs) };
}

async function rebuiltOutputs(host: Awaited<ReturnType<typeof connectStateHost>>, inputs: PropertyBag): Promise<PropertyBag> {
    const layerFolders = Array.isArray(inputs.layerFolders) ? inputs.layerFolders.map(String) : [];
    const uvmFolder = await locateUVMFolder(host.fs, layerFolders);
    const plan = planScratch(layerFolders, uvmFolder);
    return { uvmFolder, scratchPath: plan.scratchPath, scratchCreated: false, createdFolders: [], document: "" };
}
