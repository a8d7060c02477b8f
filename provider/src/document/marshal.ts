import { encodeGoJson, type GoJsonOptions, type GoType } from "./go-json";
import type { ComputeSystem, ModifySettingRequest } from "./schema";
import { COMPUTE_SYSTEM, modifySettingRequest } from "./schema-layout";

/** Options for the marshal functions. */
export type MarshalOptions = GoJsonOptions;

/**
 * The JSON string for `HcsCreateComputeSystem`, byte for byte what hcsshim's `json.Marshal` writes for
 * the same document: keys in Go struct order, `omitempty` applied (`false`, `0`, `""`, absent and empty
 * lists and maps dropped; present structs kept, so an empty `RegistryChanges` is `{}`), map keys sorted,
 * and `<`, `>`, `&` escaped as `\u003c`, `\u003e`, `\u0026`.
 *
 * With `indent`, the layout of Go's `json.MarshalIndent` (for people; HCS gets the compact form).
 *
 * @throws {TypeError} when the document has a property or a value type the schema does not declare.
 * @throws {RangeError} when an integer does not fit its Go type.
 */
export function marshalDocument(doc: ComputeSystem, options: MarshalOptions = {}): string {
    return encodeGoJson(doc, { kind: "pointer", to: COMPUTE_SYSTEM }, options);
}

/**
 * The JSON string for `HcsModifyComputeSystem`. `settingsType` is the Go type the `Settings` interface
 * holds, e.g. `PROCESSOR_LIMITS_SETTINGS` or `MEMORY_SIZE_SETTINGS` from `schema-layout.ts`; a held
 * zero is written, as Go writes a non-nil interface.
 *
 * @throws {TypeError} / {RangeError} as {@link marshalDocument}.
 */
export function marshalModifySettingRequest<S>(
    request: ModifySettingRequest<S>,
    settingsType: GoType,
    options: MarshalOptions = {},
): string {
    return encodeGoJson(request, { kind: "pointer", to: modifySettingRequest(settingsType) }, options);
}
