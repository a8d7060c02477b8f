/**
 * A valid WCOW document for a compute system on a test host, built by the provider's own document
 * builder, with the scratch disk in place and granted to the VM (as create would leave it).
 */
import { buildComputeSystemDocument } from "../../provider/src/document/build-document";
import { marshalDocument } from "../../provider/src/document/marshal";
import type { HcsClient } from "../../provider/src/hcs";
import { MappedFileSystem } from "../../provider/src/host/mapped-filesystem";
import { resolveOptions } from "../../provider/src/model/resolve";
import { BASE_LAYER } from "./simulated-host";

export interface VmDocumentOptions {
    readonly owner?: string;
    readonly terminateOnLastHandleClosed?: boolean;
    readonly memorySizeInMB?: number;
    readonly allowOvercommit?: boolean;
}

export async function prepareVm(root: string, client: HcsClient, id: string, options: VmDocumentOptions = {}): Promise<string> {
    const scratchFolder = `C:\\uvms\\${id}`;
    const resolved = resolveOptions({ layerFolders: [BASE_LAYER, scratchFolder], computeSystemId: id, ...options }, { logicalProcessors: 8, build: 20348, creatorProcessors: 2 });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.failures));
    const fs = new MappedFileSystem(root);
    await fs.mkdirs(scratchFolder);
    const scratchPath = `${scratchFolder}\\sandbox.vhdx`;
    await fs.copyFile(`${BASE_LAYER}\\UtilityVM\\SystemTemplate.vhdx`, scratchPath);
    await client.grantVmAccess(id, scratchPath);
    return marshalDocument(buildComputeSystemDocument({ options: resolved.options, computeSystemId: id, uvmFolder: BASE_LAYER, scratchPath }));
}
