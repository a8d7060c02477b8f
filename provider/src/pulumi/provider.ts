// The WcowUtilityVm dynamic provider's implementation, one export per provider method: this
// module's exports are the provider object. The SDK's `__provider` is one line that `require`s it by
// package name through the SDK (`pulumi-hcs/dynamic`; sdk/src/serialized-provider.ts, DESIGN §3.7),
// so it stays at 54 bytes and never captures handles, loggers or secrets; each method here maps
// Pulumi's property bags to `uvm`.
import type * as pulumi from "@pulumi/pulumi";
import { LOG_LEVEL_ENV, log } from "../log/logger";
import { check } from "./check";
import { create } from "./create";
import { remove } from "./delete";
import { diff as diffInputs } from "./diff";
import { watchEngine } from "./engine-watchdog";
import { read } from "./read";
import { update } from "./update";

export { check, create, read, update, remove as delete };

// Inside the engine, the provider's stderr becomes diagnostics under each resource, and Pulumi
// already reports every create, update and delete; so the provider speaks up only for warnings
// unless PULUMI_HCS_LOG_LEVEL asks for more.
if (process.env[LOG_LEVEL_ENV] === undefined) log.level = "warn";

// A provider whose engine was killed must not go on creating VMs no stack will record.
watchEngine();

/** `diff`, asynchronous as the provider interface wants it. */
export async function diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    return diffInputs(id, olds, news);
}

/** The same functions as one provider object, for callers that want it whole (tests, tooling). */
export const wcowUtilityVmProvider = { check, diff, create, read, update, delete: remove } satisfies pulumi.dynamic.ResourceProvider;
