// The shape floor's provider: answers at once, with the data pulumi-hcs's provider would return
// (check: the 24 normalized inputs; create: the 32 outputs; read: the outputs again, and no inputs,
// as pulumi-hcs's read returns none unless one drifted). Its module's exports are the provider, as
// pulumi-hcs's are.
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

type Bag = Record<string, unknown>;

/** A `host` value the size of a simulated host's (`sim:<its socket under the temp folder>`); never connected to. */
const SIMULATED_HOST = `sim:${path.join(os.tmpdir(), "hcs-sim-aBcDeF", "hcs.sock")}`;

export async function check(_olds: Bag, news: Bag): Promise<pulumi.dynamic.CheckResult> {
    const { __provider: _provider, ...args } = news;
    return {
        inputs: {
            adoptExisting: false, allowOvercommit: true, disableCompartmentNamespace: false, enableDeferredCommit: false,
            fullyPhysicallyBacked: false, highMMIOBaseInMB: 0, highMMIOGapInMB: 0, host: SIMULATED_HOST,
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
        },
    };
}

export async function read(id: string, props: Bag): Promise<pulumi.dynamic.ReadResult> {
    return { id, props: { ...props, assignedMemoryInMB: 1024 } };
}

export async function update(_id: string, _olds: Bag, news: Bag): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: news };
}

async function remove(): Promise<void> {}
export { remove as delete };
