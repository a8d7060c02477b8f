import { FIELD_NAMES, type FieldName } from "../model/fields";
import type { ResolvedOptions } from "../model/resolved-options";
import { isKeyPath, type KeyPath } from "../model/unknown-key";
import type { UtilityVmState } from "../uvm/state";

/** The key the dynamic-provider host keeps the serialized provider under, in every property bag. */
export const PROVIDER_KEY = "__provider";

/**
 * The key under which the SDK passes the resource's URN. Not a user input: create derives the
 * compute-system ID from it and names the resource in the scratch folder's owner marker, so a
 * create retried after an interruption recognises what its predecessor left (uvm/identity.ts).
 */
export const RESOURCE_KEY = "__resource";

/**
 * The key under which the SDK names the keys it did not send: keys that are not inputs, and
 * `__proto__` keys inside an input's value, each as a key path (`["hasOwnProperty"]`,
 * `["timeouts", "__proto__"]`). Pulumi would set every top-level key on the resource object (its
 * `transferProperties`), where `hasOwnProperty` or `toString` break the SDK, and copies objects by
 * assignment, where `__proto__` becomes a prototype. `check` refuses each as an unknown key.
 */
export const UNSENT_KEYS_KEY = "__unsentKeys";

/**
 * The key under which `check` records the identity of the host the `host` input reaches
 * (TargetHost.identity). Not a user input: `diff` compares it with the state's `hostId` output, so
 * another address of the VM's own host changes nothing, and another host replaces the VM.
 */
export const HOST_ID_KEY = "__hostId";

/**
 * The key under which `check` records the host's Windows build (HostFacts.build). Not a user input:
 * `diff` needs it to know whether the host can change CPU limits of a running VM (19042 and later)
 * or must replace it, so the preview says what `up` will do.
 */
export const HOST_BUILD_KEY = "__hostBuild";

/**
 * The key under which the SDK passes the resource option `replaceOnChanges` (a list of property
 * paths). Pulumi's Node dynamic-provider host gives the engine no list of changed keys, which the
 * engine needs to apply the option, so `diff` applies it (and check predicts it).
 */
export const REPLACE_ON_CHANGES_KEY = "__replaceOnChanges";

/**
 * The key under which `check` marks a `computeSystemId` it filled in itself (the ID the VM has, or
 * the one create will derive) rather than one the program set. Pulumi's preview of an update shows
 * the checked inputs as the outputs, so without it a preview would show the ID as unknown and ripple
 * into every resource that uses it. A generated ID is not the user's choice: diff ignores it, and
 * create derives the ID itself (uvm/identity.ts).
 */
export const GENERATED_ID_KEY = "__generatedId";

/** Keys that travel with the inputs for the provider's own use, never inputs of the VM. */
const HIDDEN_KEYS: ReadonlySet<string> = new Set([
    PROVIDER_KEY, RESOURCE_KEY, UNSENT_KEYS_KEY, HOST_ID_KEY, HOST_BUILD_KEY, REPLACE_ON_CHANGES_KEY, GENERATED_ID_KEY,
]);

/** A Pulumi property bag: JSON-like values only (`google.protobuf.Struct` refuses undefined). */
export type PropertyBag = Record<string, unknown>;

/**
 * Outputs that states written by earlier versions hold and this one no longer keeps: `document`, the
 * 1 KB create document (a quarter of a VM's state, which the engine rewrites after every step of
 * every VM; `pulumi-hcs render` prints it from the inputs). Read and update leave them behind.
 */
const RETIRED_OUTPUTS: readonly string[] = ["document"];

/** The outputs of a WcowUtilityVm: every input's effective value, plus what the lifecycle adds. */
export type WcowUtilityVmOutputs = PropertyBag & Omit<UtilityVmState, "document"> & {
    /** Memory HCS reported assigned at the last refresh, in MB. */
    readonly assignedMemoryInMB?: number;
    /** The identity of the host the VM lives on (TargetHost.identity), when the host has one. */
    readonly hostId?: string;
};

/**
 * The bag without the hidden keys (`__provider`, `__resource`, `__hostId`, …) and undefined values,
 * ready to validate or to compare. Built with `Object.fromEntries`, which defines keys instead of assigning
 * them, so a `__proto__` key stays a key (and is refused as unknown) instead of becoming the copy's
 * prototype.
 */
export function withoutProviderKey(bag: PropertyBag): PropertyBag {
    return Object.fromEntries(
        Object.entries(bag).filter(([key, value]) =>
            !HIDDEN_KEYS.has(key) && value !== undefined),
    );
}

/** The inputs the program gave: withoutProviderKey, and without a computeSystemId check generated. */
export function programInputsOf(bag: PropertyBag): PropertyBag {
    const inputs = withoutProviderKey(bag);
    if (bag[GENERATED_ID_KEY] === true) delete inputs.computeSystemId;
    return inputs;
}

/** The `replaceOnChanges` paths the SDK passed (strings only; anything else is ignored). */
export function replaceOnChangesOf(bag: PropertyBag): readonly string[] {
    const value = bag[REPLACE_ON_CHANGES_KEY];
    return Array.isArray(value) ? value.filter((path): path is string => typeof path === "string") : [];
}

/** The host build check recorded, when it is a positive integer. */
export function hostBuildOf(bag: PropertyBag): number | undefined {
    const value = bag[HOST_BUILD_KEY];
    return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The key paths the SDK named in `__unsentKeys`, or `"malformed"` when the value is not a list of
 * key paths (the SDK never sends that; a hand-made bag might).
 */
export function unsentKeysOf(bag: PropertyBag): readonly KeyPath[] | "malformed" {
    const value = bag[UNSENT_KEYS_KEY];
    if (value === undefined || value === null) return [];
    return Array.isArray(value) && value.every(isKeyPath) ? value : "malformed";
}

/** The resource's URN the SDK passed, when it is a known string. */
export function resourceOf(bag: PropertyBag): string | undefined {
    const value = bag[RESOURCE_KEY];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** The host ID under `key`: `__hostId` in checked inputs, `hostId` in a state; undefined unless a non-empty string. */
export function hostIdOf(bag: PropertyBag, key: typeof HOST_ID_KEY | "hostId"): string | undefined {
    const value = bag[key];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** `bag` with `key` set to the host ID, or without it when the host has none. */
export function withHostId(bag: PropertyBag, key: typeof HOST_ID_KEY | "hostId", hostId: string | undefined): PropertyBag {
    const { [key]: _previous, ...rest } = bag;
    return hostId === undefined ? rest : { ...rest, [key]: hostId };
}

/** `bag` with the resource's URN from `from`, when `from` has one. */
export function withResource(bag: PropertyBag, from: PropertyBag): PropertyBag {
    const resource = resourceOf(from);
    return resource === undefined ? bag : { ...bag, [RESOURCE_KEY]: resource };
}

/** `bag` with the engine-facing keys of `from` (`__provider`, `__resource`) carried over. */
export function withEngineKeys(bag: PropertyBag, from: PropertyBag): PropertyBag {
    const result: PropertyBag = { ...bag };
    for (const key of [PROVIDER_KEY, RESOURCE_KEY]) if (from[key] !== undefined) result[key] = from[key];
    return result;
}

/**
 * The checked inputs for resolved options: every input's effective value (so outputs show them and
 * diff compares normalized values), in a form `resolveOptions` accepts again unchanged. `timeouts`
 * keeps the user's duration strings: the resolved form is milliseconds, which is not input syntax.
 */
export function checkedInputs(options: ResolvedOptions, timeouts: unknown): PropertyBag {
    const inputs: PropertyBag = {};
    for (const name of FIELD_NAMES) {
        const value = name === "timeouts" ? timeouts : options[name as Exclude<FieldName, "timeouts">];
        if (value !== undefined) inputs[name] = Array.isArray(value) ? [...value] : value;
    }
    return inputs;
}

/** What delete needs of a VM's state (outputs), with the ID Pulumi holds it under. */
export function deletableStateOf(id: string, outputs: PropertyBag): Pick<UtilityVmState, "computeSystemId" | "runtimeId" | "scratchPath" | "scratchCreated"> {
    return {
        computeSystemId: id,
        runtimeId: typeof outputs.runtimeId === "string" ? outputs.runtimeId : "",
        scratchPath: typeof outputs.scratchPath === "string" ? outputs.scratchPath : "",
        scratchCreated: outputs.scratchCreated === true,
    };
}

/** The input fields of an output bag (what refresh reports back as the resource's inputs). */
export function inputsOf(outputs: PropertyBag): PropertyBag {
    const inputs: PropertyBag = {};
    for (const name of FIELD_NAMES) if (outputs[name] !== undefined) inputs[name] = outputs[name];
    return inputs;
}

/**
 * What an output bag holds besides the inputs' values: the lifecycle's state, and the compute-system
 * ID (an input the user may leave unset, so the checked inputs do not always carry it).
 */
export function stateOf(outputs: PropertyBag): PropertyBag {
    const names = new Set<string>(FIELD_NAMES);
    return Object.fromEntries(
        Object.entries(outputs).filter(([key, value]) => (!names.has(key) || key === "computeSystemId") && value !== undefined),
    );
}

/** Outputs after create: the checked inputs plus the lifecycle's state (the generated ID included), without the create document. */
export function outputsOf(inputs: PropertyBag, state: UtilityVmState): WcowUtilityVmOutputs {
    const { document: _document, ...kept } = state;
    return { ...inputs, ...kept, createdFolders: [...state.createdFolders] };
}

/** A state's outputs without those this version no longer keeps (RETIRED_OUTPUTS). */
export function withoutRetiredOutputs(outputs: PropertyBag): PropertyBag {
    return Object.fromEntries(Object.entries(outputs).filter(([key]) => !RETIRED_OUTPUTS.includes(key)));
}
