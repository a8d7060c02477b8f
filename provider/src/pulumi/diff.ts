import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { FIELDS, type FieldName } from "../model/fields";
import { parseDuration } from "../model/duration";
import { sameGuid } from "../model/guid";
import { windowsPathKey } from "../model/windows-path";
import { CPU_LIMITS_UPDATE_MIN_BUILD } from "../uvm/update-cpu-limits";
import { withDetailedDiff } from "./detailed-diff";
import {
    GENERATED_ID_KEY,
    HOST_ID_KEY,
    hostBuildOf,
    hostIdOf,
    type PropertyBag,
    replaceOnChangesOf,
} from "./property-bags";
import { replaceOnChangesCovers } from "./replace-on-changes";
import { containsUnknown } from "./unknown";

/** A changed input and whether it forces a new VM. */
export interface InputChange {
    readonly field: FieldName;
    readonly replaces: boolean;
    /** How the value changed: set where it was unset, unset where it was set, or another value. */
    readonly kind: "add" | "delete" | "update";
}

/** Where the state keeps the host's identity: `hostId` in outputs, `__hostId` in checked inputs. */
type HostIdKey = "hostId" | typeof HOST_ID_KEY;

/**
 * The inputs that differ between the state (`olds`, the last outputs) and the checked inputs
 * (`news`), each classified by DESIGN §4's change table. Both sides are normalized (check did the
 * news; the olds are outputs of an earlier check), so equal programs compare equal.
 *
 * `host` is compared by who the host is, not how it is reached: a new address (a simulator's TCP
 * port instead of its socket) whose identity, as check recorded it, is the state's `hostId` is no
 * change. With either identity unknown (a state from before host IDs; inputs not yet known in a
 * preview), the address is all there is to compare.
 */
export function changedInputs(olds: PropertyBag, news: PropertyBag, oldHostKey: HostIdKey = "hostId"): InputChange[] {
    const changes: InputChange[] = [];
    const replaceOnChanges = replaceOnChangesOf(news);
    for (const field of FIELDS) {
        const name = field.name;
        const before = olds[name];
        const after = news[name];
        // An ID the program leaves unset (or check filled in) is not a change: the VM keeps its own.
        if (name === "computeSystemId" && (after === undefined || news[GENERATED_ID_KEY] === true)) continue;
        if (field.change === "createOnly") continue;
        if (!containsUnknown(after) && sameValue(name, before, after)) continue;
        if (name === "host" && !containsUnknown(after) && sameHost(olds, news, oldHostKey)) continue;
        const replaces = forcesReplacement(field.change, name, olds, news) || replaceOnChangesCovers(replaceOnChanges, name, before, after);
        const kind = before === undefined ? "add" : after === undefined ? "delete" : "update";
        changes.push({ field: name, replaces, kind });
    }
    return changes;
}

/**
 * Whether an update from the checked inputs `oldInputs` (the state's inputs) to `news` would replace
 * the VM, as far as the inputs tell (a `--replace` on the command line is not among them).
 */
export function replacesVm(oldInputs: PropertyBag, news: PropertyBag): boolean {
    return changedInputs(oldInputs, news, HOST_ID_KEY).some((change) => change.replaces);
}

/**
 * `diff`: which inputs changed, which of those replace the VM, and whether the old VM must go first.
 * `__provider` is not compared, so upgrading pulumi-hcs never touches VMs.
 *
 * The old VM goes first when the two would collide: a user-chosen computeSystemId cannot exist
 * twice, and a scratch folder (the last layer folder) holds one VM's sandbox.vhdx, which a second
 * VM would open while the first still runs it (and the first one's delete would then remove the
 * second one's disk). Create-before-delete, Pulumi's default, applies when neither is shared.
 */
export function diff(_id: string, olds: PropertyBag, news: PropertyBag): pulumi.dynamic.DiffResult {
    const changes = changedInputs(olds, news);
    const replaces = changes.filter((c) => c.replaces).map((c) => c.field);
    const chosenId = news.computeSystemId !== undefined && news[GENERATED_ID_KEY] !== true;
    const collides = chosenId || sameScratchFolder(olds, news);
    return {
        changes: changes.length > 0,
        replaces,
        // Carries the detailed diff to the engine too (detailed-diff.ts): which input changed, and how.
        deleteBeforeReplace: withDetailedDiff(replaces.length > 0 && collides, changes),
    };
}

/** Whether both VMs would use the same scratch folder (Windows paths compare case-insensitively). */
function sameScratchFolder(olds: PropertyBag, news: PropertyBag): boolean {
    const last = (bag: PropertyBag) => (Array.isArray(bag.layerFolders) ? bag.layerFolders.at(-1) : undefined);
    const before = last(olds);
    const after = last(news);
    if (containsUnknown(after)) return true;
    return typeof before === "string" && typeof after === "string" && before.toLowerCase() === after.toLowerCase();
}

function forcesReplacement(change: (typeof FIELDS)[number]["change"], name: FieldName, olds: PropertyBag, news: PropertyBag): boolean {
    switch (change) {
        case "replace":
        case "computeSystemId":
            return true;
        case "inPlace":
            // Before 19042 HCS cannot change a running VM's CPU limits (uvm/update-cpu-limits.ts).
            if (name === "processorLimit" || name === "processorWeight") return (hostBuildOf(news) ?? Infinity) < CPU_LIMITS_UPDATE_MIN_BUILD;
            return false;
        case "providerSide":
        case "createOnly":
            return false;
        case "memory":
            // HCS resizes only VA-backed memory; a physically backed VM gets a new VM.
            return !(olds.allowOvercommit === true && news.allowOvercommit === true);
        case "start":
            // Starting a created VM is in place; a running VM cannot go back to Created.
            return !(olds.start === false && news.start === true);
    }
}

/** Whether the state's host (`hostId`) and the host check found at the new `host` (`__hostId`) are known and the same. */
function sameHost(olds: PropertyBag, news: PropertyBag, oldHostKey: HostIdKey): boolean {
    const before = hostIdOf(olds, oldHostKey);
    return before !== undefined && before === hostIdOf(news, HOST_ID_KEY);
}

/**
 * Whether two values of an input mean the same VM. Windows compares paths case-insensitively and a
 * GUID is one value however it is spelled, so `c:\layers` for `C:\layers`, or a CPU group ID in
 * braces and upper case, change nothing (the state keeps the spelling the VM was made with).
 */
function sameValue(name: FieldName, before: unknown, after: unknown): boolean {
    if (name === "timeouts") return isDeepStrictEqual(timeoutsInMs(before), timeoutsInMs(after));
    switch (FIELD_KINDS.get(name)) {
        case "windowsPath":
        case "windowsPathArray":
            return isDeepStrictEqual(pathKeys(before), pathKeys(after));
        case "guid":
            return typeof before === "string" && typeof after === "string" ? sameGuid(before, after) || before === after : before === after;
        default:
            return isDeepStrictEqual(before ?? null, after ?? null);
    }
}

const FIELD_KINDS: ReadonlyMap<string, string> = new Map(FIELDS.map((field) => [field.name, field.type.kind]));

/** A path or list of paths as Windows compares them (other values as they are). */
function pathKeys(value: unknown): unknown {
    if (typeof value === "string") return windowsPathKey(value);
    if (Array.isArray(value)) return value.map(pathKeys);
    return value ?? null;
}

/** `{create: "5m"}` and `{create: "300s"}` are the same timeouts. */
function timeoutsInMs(value: unknown): Record<string, number | string> | null {
    if (value === null || typeof value !== "object") return null;
    const result: Record<string, number | string> = {};
    for (const [key, text] of Object.entries(value)) {
        const parsed = typeof text === "string" ? parseDuration(text) : undefined;
        result[key] = parsed?.ok ? parsed.milliseconds : String(text);
    }
    return result;
}
