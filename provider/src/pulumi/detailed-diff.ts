import { createRequire } from "node:module";
import type { InputChange } from "./diff";

/**
 * Pulumi's Node dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, `diff`) forwards only
 * `changes`, `replaces` and `deleteBeforeReplace` of a diff result. Without a detailed diff and the
 * list of changed keys, `pulumi preview --diff` and `--json` cannot say which input makes an update
 * or a replacement, and the engine cannot apply `replaceOnChanges`.
 *
 * So, inside that host process, the host's own `DiffResponse` class learns to take a detailed diff:
 * its `setDeletebeforereplace` setter, which the host calls with `result.deleteBeforeReplace`
 * whenever that is truthy, accepts a {@link DeleteBeforeReplace} object carrying the diff and sets
 * the response's `detailedDiff`, `hasDetailedDiff` and `diffs` before the boolean itself. The object
 * rides on the result of the very call it belongs to, so concurrent diffs cannot mix.
 *
 * Outside that host (tests, tooling), or if a Pulumi release changes the host so that the patch
 * cannot be applied, diff returns a plain boolean and the engine gets what it got before: the
 * preview still shows the update or replacement, just without the per-input reasons.
 */

/** A diff's `deleteBeforeReplace`, together with the detailed diff the engine should get. */
export class DeleteBeforeReplace {
    constructor(readonly value: boolean, readonly changes: readonly InputChange[]) {}
    /** Whatever reads it as a boolean sees the value (`if (result.deleteBeforeReplace)` is always taken). */
    valueOf(): boolean {
        return this.value;
    }
}

/** `deleteBeforeReplace` for a diff result: with the changes attached when the host can forward them. */
export function withDetailedDiff(deleteBeforeReplace: boolean, changes: readonly InputChange[]): boolean {
    if (!patchHostDiffResponse()) return deleteBeforeReplace;
    // The host passes it to the patched setter, which unwraps it; the type says what the engine gets.
    return new DeleteBeforeReplace(deleteBeforeReplace, changes) as unknown as boolean;
}

/** The PropertyDiff kinds for each change: [in place, replacing]. */
const KINDS = {
    add: ["ADD", "ADD_REPLACE"],
    delete: ["DELETE", "DELETE_REPLACE"],
    update: ["UPDATE", "UPDATE_REPLACE"],
} as const;

/** The parts of the host's generated protobuf module this relies on. */
interface ProviderProto {
    DiffResponse: { prototype: DiffResponseLike };
    PropertyDiff: (new () => PropertyDiffLike) & { Kind: Record<"ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE", number> };
}
interface DiffResponseLike {
    setDeletebeforereplace(value: boolean): unknown;
    setHasdetaileddiff(value: boolean): unknown;
    setDiffsList(value: string[]): unknown;
    getDetaileddiffMap(): { set(key: string, value: PropertyDiffLike): unknown };
}
interface PropertyDiffLike {
    setKind(value: number): PropertyDiffLike;
    setInputdiff(value: boolean): PropertyDiffLike;
}

/** The host's module, looked up once per process (null: this process is not the host). */
let hostProto: ProviderProto | null | undefined;
const patchedPrototypes = new WeakSet<DiffResponseLike>();

/**
 * Teaches a DiffResponse class (the host's, by default) to take a {@link DeleteBeforeReplace}, once.
 * @returns whether it is patched: false when this process is not the dynamic-provider host, or the
 *   host's protobuf module lacks what the patch needs.
 */
export function patchHostDiffResponse(proto: ProviderProto | undefined = hostProviderProto()): boolean {
    const prototype = proto?.DiffResponse?.prototype;
    if (proto === undefined || prototype === undefined || !hasMethods(prototype) || typeof proto.PropertyDiff !== "function") return false;
    if (patchedPrototypes.has(prototype)) return true;
    const original = prototype.setDeletebeforereplace;
    const kinds = proto.PropertyDiff.Kind;
    prototype.setDeletebeforereplace = function (this: DiffResponseLike, value: boolean | DeleteBeforeReplace) {
        if (!(value instanceof DeleteBeforeReplace)) return original.call(this, value);
        const details = this.getDetaileddiffMap();
        for (const change of value.changes) {
            const kind = KINDS[change.kind][change.replaces ? 1 : 0];
            // Old outputs against new inputs (diff compares the state's effective values): not an input diff.
            details.set(change.field, new proto.PropertyDiff().setKind(kinds[kind]).setInputdiff(false));
        }
        this.setHasdetaileddiff(true);
        this.setDiffsList(value.changes.map((change) => change.field));
        return original.call(this, value.value);
    };
    patchedPrototypes.add(prototype);
    return true;
}

/** The generated `provider_pb` module of the dynamic-provider host this process runs, if it is one. */
function hostProviderProto(): ProviderProto | undefined {
    if (hostProto === undefined) hostProto = loadHostProviderProto() ?? null;
    return hostProto ?? undefined;
}

function loadHostProviderProto(): ProviderProto | undefined {
    const main = require.main?.filename;
    if (main === undefined || !/[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(main)) return undefined;
    try {
        // The host's own copy (the path it requires), not whichever copy this package would resolve.
        return createRequire(main)("../../proto/provider_pb") as ProviderProto;
    } catch {
        return undefined;
    }
}

function hasMethods(prototype: DiffResponseLike): boolean {
    return ["setDeletebeforereplace", "setHasdetaileddiff", "setDiffsList", "getDetaileddiffMap"]
        .every((name) => typeof (prototype as unknown as Record<string, unknown>)[name] === "function");
}
