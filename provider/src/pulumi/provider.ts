import type * as pulumi from "@pulumi/pulumi";
import { check } from "./check";
import { create } from "./create";
import { remove } from "./delete";
import { diff } from "./diff";
import { read } from "./read";
import { update } from "./update";

/**
 * The WcowUtilityVm dynamic provider's implementation. The SDK's serialized provider object only
 * `require`s this module inside each method (DESIGN §3.7), so `__provider` stays a few hundred bytes
 * and never captures handles, loggers or secrets; each method here maps Pulumi's bags to `uvm`.
 */
export const wcowUtilityVmProvider = {
    check,
    diff: async (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diff(id, olds, news),
    create,
    read,
    update,
    delete: remove,
} satisfies pulumi.dynamic.ResourceProvider;
