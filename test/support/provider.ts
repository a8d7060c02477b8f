/**
 * Drives the WcowUtilityVm dynamic provider's methods directly (the functions the serialized
 * provider calls inside the engine), against a simulated host.
 */
import fs from "node:fs";
import path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { wcowUtilityVmProvider } from "../../provider/src/pulumi/provider";
import { BASE_LAYER, type TestHost } from "./simulated-host";

export const provider = wcowUtilityVmProvider;
export type Bag = Record<string, unknown>;

/** Inputs for a VM whose scratch folder is `C:\uvms\<name>` on the test host. */
export function vmArgs(host: TestHost, name: string, extra: Bag = {}): Bag {
    return { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`], host: host.hostName, ...extra };
}

/** check, expecting success: the checked inputs. */
export async function checked(news: Bag, olds: Bag = {}): Promise<Bag> {
    const result = await provider.check(olds, news);
    if (result.failures?.length) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
    return result.inputs as Bag;
}

/** check + create: the outputs, as the engine would store them. */
export async function createVm(news: Bag): Promise<{ id: string; outs: Bag; inputs: Bag }> {
    const inputs = await checked(news);
    const result: pulumi.dynamic.CreateResult = await provider.create(inputs);
    return { id: result.id, outs: result.outs as Bag, inputs };
}

/** Everything on the host that a VM's create could have left: its system, its grants, its files. */
export async function leftovers(host: TestHost, id: string, scratchFolder: string): Promise<{ systems: string[]; grants: string[]; files: string[] }> {
    const state = await host.sim.control.state();
    const local = path.join(host.sim.root, "fs", "c", ...scratchFolder.replace(/^C:\\/, "").split("\\"));
    const files: string[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        files.push(path.relative(host.sim.root, dir));
        if (fs.statSync(dir).isDirectory()) for (const entry of fs.readdirSync(dir)) walk(path.join(dir, entry));
    };
    walk(local);
    return {
        systems: state.systems.filter((s) => s.id === id).map((s) => `${s.id} ${s.state}`),
        grants: state.grants.filter((g) => g.vmIds.includes(id)).map((g) => g.path),
        files,
    };
}
