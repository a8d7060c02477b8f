// The WcowUtilityVm dynamic provider's implementation, one export per provider method: this
// module's exports are the provider object. The SDK's `__provider` is one line that `require`s it by
// package name through the SDK (`pulumi-hcs/dynamic`; sdk/src/serialized-provider.ts, DESIGN §3.7),
// so it stays at 54 bytes and never captures handles, loggers or secrets; each method here maps
// Pulumi's property bags to `uvm`.
import type * as pulumi from "@pulumi/pulumi";
import { LOG_LEVEL_ENV, log, writeJsonOnStderr } from "../log/logger";
import { remove as removeVm } from "./delete";
import { diff as diffInputs } from "./diff";
import { engineLog } from "./engine-log";
import { engineAddress, watchEngine } from "./engine-watchdog";
import { echoOnce, replaceHostErrorEcho } from "./host-error-echo";
import { type PropertyBag, resourceOf } from "./property-bags";
import { read as readVm } from "./read";
import { forResource, sendWarningsTo } from "./resource-diagnostics";

// What only preview and up call (check, create, update: the options model's rules, the document
// builder, the guest connection) is required on first use, and from Node's module cache after that.
// Every Pulumi command starts a new provider process, and a refresh or destroy calls only read,
// diff and delete: loading the rest cost those commands 10-20 ms each (bench/README.md).
/* eslint-disable @typescript-eslint/no-require-imports */
const checkModule = () => require("./check") as typeof import("./check");
const reportedProblemsModule = () => require("./reported-problems") as typeof import("./reported-problems");
const createModule = () => require("./create") as typeof import("./create");
const updateModule = () => require("./update") as typeof import("./update");
/* eslint-enable @typescript-eslint/no-require-imports */

const levelRequested = (process.env[LOG_LEVEL_ENV]?.trim() ?? "") !== "";

// Pulumi already reports every create, update and delete; so the provider speaks up only for
// warnings unless PULUMI_HCS_LOG_LEVEL asks for more.
if (!levelRequested) log.level = "warn";

const engine = engineAddress(process.argv);
if (engine !== undefined) {
    // Inside the engine, the user reads Pulumi's diagnostics: warnings go there, under their resource,
    // and the JSON log goes to stderr (shown under the stack) only when PULUMI_HCS_LOG_LEVEL asks for it.
    sendWarningsTo(engineLog(engine, process.argv[1]!));
    writeJsonOnStderr(levelRequested);
    replaceHostErrorEcho();
}

// A provider whose engine was killed must not go on creating VMs no stack will record.
watchEngine();

/** The resource a call is for: the URN the SDK passes in `__resource` (the new inputs' first). */
function urnOf(...bags: readonly (PropertyBag | undefined)[]): string | undefined {
    for (const bag of bags) {
        const urn = bag === undefined ? undefined : resourceOf(bag);
        if (urn !== undefined) return urn;
    }
    return undefined;
}

// Each method runs for its resource (warnings go under it); the ones whose errors the host echoes
// to stderr (check, diff, read, delete) have that echo replaced (host-error-echo.ts).

export function check(olds: PropertyBag, news: PropertyBag): Promise<pulumi.dynamic.CheckResult> {
    return forResource(urnOf(news, olds), () => echoOnce(() => reportedProblemsModule().checkWithReports(checkModule().check, olds, news)));
}

export function diff(id: string, olds: PropertyBag, news: PropertyBag): Promise<pulumi.dynamic.DiffResult> {
    return forResource(urnOf(news, olds), () => echoOnce(async () => diffInputs(id, olds, news)));
}

export function create(inputs: PropertyBag): Promise<pulumi.dynamic.CreateResult> {
    return forResource(urnOf(inputs), () => createModule().create(inputs));
}

export function read(id: string, props?: PropertyBag): Promise<pulumi.dynamic.ReadResult> {
    return forResource(urnOf(props), () => echoOnce(() => readVm(id, props)));
}

export function update(id: string, olds: PropertyBag, news: PropertyBag): Promise<pulumi.dynamic.UpdateResult> {
    return forResource(urnOf(news, olds), () => updateModule().update(id, olds, news));
}

function remove(id: string, props: PropertyBag): Promise<void> {
    return forResource(urnOf(props), () => echoOnce(() => removeVm(id, props)));
}

export { remove as delete };

/** The same functions as one provider object, for callers that want it whole (tests, tooling). */
export const wcowUtilityVmProvider = { check, diff, create, read, update, delete: remove } satisfies pulumi.dynamic.ResourceProvider;
