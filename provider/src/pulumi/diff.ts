import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { FIELDS, type FieldName } from "../model/fields";
import { parseDuration } from "../model/duration";
import { HOST_ID_KEY, hostIdOf, type PropertyBag } from "./property-bags";
import { containsUnknown } from "./unknown";

/** A changed input and whether it forces a new VM. */
export interface InputChange {
    readonly field: FieldName;
    readonly replaces: boolean;
}

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
export function changedInputs(olds: PropertyBag, news: PropertyBag): InputChange[] {
    const changes: InputChange[] = [];
    for (const field of FIELDS) {
        const name = field.name;
        const before = olds[name];
        const after = news[name];
        // A generated ID is not an input the user changes: leaving it unset keeps the VM.
        if (name === "computeSystemId" && after === undefined) continue;
        if (field.change === "createOnly") continue;
        if (!containsUnknown(after) && sameValue(name, before, after)) continue;
        if (name === "host" && !containsUnknown(after) && sameHost(olds, news)) continue;
        changes.push({ field: name, replaces: forcesReplacement(field.change, olds, news) });
    }
    return changes;
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
    const collides = news.computeSystemId !== undefined || sameScratchFolder(olds, news);
    return {
        changes: changes.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && collides,
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

function forcesReplacement(change: (typeof FIELDS)[number]["change"], olds: PropertyBag, news: PropertyBag): boolean {
    switch (change) {
        case "replace":
        case "computeSystemId":
            return true;
        case "inPlace":
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
function sameHost(olds: PropertyBag, news: PropertyBag): boolean {
    const before = hostIdOf(olds, "hostId");
    return before !== undefined && before === hostIdOf(news, HOST_ID_KEY);
}

function sameValue(name: FieldName, before: unknown, after: unknown): boolean {
    if (name === "timeouts") return isDeepStrictEqual(timeoutsInMs(before), timeoutsInMs(after));
    return isDeepStrictEqual(before ?? null, after ?? null);
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
