// The shape floor's provider: answers at once, with the keys, value types and sizes pulumi-hcs's
// provider returns for the bench's VMs (check: the normalized inputs, the generated compute-system ID
// and the hidden keys check records for diff; create: the outputs; read: the outputs again, and no
// inputs, as pulumi-hcs's read returns none unless one drifted). test/provider/shape-floor.test.ts
// holds it to pulumi-hcs's real answers. Its module's exports are the provider, as pulumi-hcs's are.
import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

type Bag = Record<string, unknown>;

/** A `host` value the size of a simulated host's (`sim:<its socket under the temp folder>`); never connected to. */
const SIMULATED_HOST = `sim:${path.join(os.tmpdir(), "hcs-sim-aBcDeF", "hcs.sock")}`;

/**
 * A simulated host's identity (`simulator:<guid>`) and Windows build, as check records them: the
 * same in every process, as a real host's are (a preview's check must find the state's own values).
 */
const HOST_ID = "simulator:5d1e6f0a-3c2b-4e8f-9a7d-1b2c3d4e5f60";
const HOST_BUILD = 20348;

/** A compute-system ID derived from the resource's URN, as pulumi-hcs derives one: stable from run to run. */
function derivedId(urn: unknown): string {
    const hex = createHash("sha1").update(String(urn)).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The folders create makes for a scratch folder `C:\\a\\b`: each one below the drive (`C:\\a`, `C:\\a\\b`). */
function foldersTo(folder: string): string[] {
    const parts = folder.split("\\");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 2).join("\\"));
}

export async function check(_olds: Bag, news: Bag): Promise<pulumi.dynamic.CheckResult> {
    const { __provider: _provider, ...args } = news;
    return {
        inputs: {
            __generatedId: true, __hostBuild: HOST_BUILD, __hostId: HOST_ID, computeSystemId: derivedId(args.__resource),
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
    const { __generatedId: _generated, __hostBuild: _build, __hostId: hostId, ...kept } = inputs;
    const id = kept.computeSystemId as string;
    const scratch = (inputs.layerFolders as string[])[1]!;
    return {
        id,
        outs: {
            ...kept, runtimeId: randomUUID(), state: "Running", uvmFolder: "C:\\layers\\base",
            scratchPath: `${scratch}\\sandbox.vhdx`, scratchCreated: true, createdFolders: foldersTo(scratch), hostId,
            guestConnection: "lost", guestOsType: "windows", guestProtocolVersion: 4,
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
