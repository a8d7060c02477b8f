// The shape floor's provider: answers at once, with the data pulumi-hcs's provider would return
// (check: the 24 normalized inputs; create: the 33 outputs, a 1 KB document among them; read: the
// outputs and the inputs again). Its module's exports are the provider, as pulumi-hcs's are.
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

type Bag = Record<string, unknown>;

/** Outputs that are not inputs (what read leaves out of the inputs it reports). */
const STATE_ONLY = ["computeSystemId", "runtimeId", "state", "uvmFolder", "scratchPath", "scratchCreated", "createdFolders", "document", "assignedMemoryInMB"];

export async function check(_olds: Bag, news: Bag): Promise<pulumi.dynamic.CheckResult> {
    const { __provider: _provider, ...args } = news;
    return {
        inputs: {
            adoptExisting: false, allowOvercommit: true, disableCompartmentNamespace: false, enableDeferredCommit: false,
            fullyPhysicallyBacked: false, highMMIOBaseInMB: 0, highMMIOGapInMB: 0, host: "sim:/tmp/hcs-sim-aBcDeF/hcs.sock",
            lowMMIOGapInMB: 0, noDirectMap: false, noInheritHostTimezone: false, noWritableFileShares: false, scsiControllerCount: 1,
            start: true, storageQoSBandwidthMaximum: 0, storageQoSIopsMaximum: 0, terminateOnLastHandleClosed: false,
            ...args,
        },
    };
}

export async function diff(): Promise<pulumi.dynamic.DiffResult> {
    return { changes: false };
}

export async function create(inputs: Bag): Promise<pulumi.dynamic.CreateResult> {
    const id = randomUUID();
    const scratch = (inputs.layerFolders as string[])[1]!;
    return {
        id,
        outs: {
            ...inputs, computeSystemId: id, runtimeId: randomUUID(), state: "Running", uvmFolder: "C:\\layers\\base",
            scratchPath: `${scratch}\\sandbox.vhdx`, scratchCreated: true, createdFolders: [scratch],
            // pulumi-hcs's document is a 976-byte JSON string; its content does not matter here, its size does.
            document: "x".repeat(976),
        },
    };
}

export async function read(id: string, props: Bag): Promise<pulumi.dynamic.ReadResult> {
    const { __provider: _provider, ...outputs } = props;
    const inputs = Object.fromEntries(Object.entries(outputs).filter(([key]) => !STATE_ONLY.includes(key)));
    return { id, props: { ...outputs, assignedMemoryInMB: 1024 }, inputs: { ...inputs, computeSystemId: id } };
}

export async function update(_id: string, _olds: Bag, news: Bag): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: news };
}

async function remove(): Promise<void> {}
export { remove as delete };
