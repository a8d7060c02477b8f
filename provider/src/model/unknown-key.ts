import { quote } from "./characters";
import { closestName } from "./closest-name";
import { FIELD_NAMES, TIMEOUT_NAMES } from "./fields";
import type { ValidationFailure } from "./validation-failure";

/**
 * Where a key sits in the inputs: the top-level key, then the object keys and array indexes below
 * it. `["timeouts", "creat"]` is `timeouts.creat`, `["layerFolders", 0, "x"]` is `layerFolders[0].x`.
 * Kept as parts, not text, because a key may itself contain `.` or `[`.
 */
export type KeyPath = readonly [string, ...(string | number)[]];

// Why a "__proto__" key is refused even where unknown keys would be harmless: Pulumi copies objects
// by assignment (runtime/rpc.ts), and assigning "__proto__" replaces the copy's prototype.
const PROTO_NOTE =
    ' ("__proto__" cannot travel through Pulumi: copying the object makes its value the prototype, so its contents would be ' +
    "silently dropped, or read as the object's own keys)";

/** Whether `value` is a {@link KeyPath}: a non-empty list starting with a string, of strings and indexes. */
export function isKeyPath(value: unknown): value is KeyPath {
    return (
        Array.isArray(value) &&
        typeof value[0] === "string" &&
        value.every((part: unknown) => typeof part === "string" || (typeof part === "number" && Number.isSafeInteger(part) && part >= 0))
    );
}

/** A key path as a failure's field: `timeouts.create`, `layerFolders[1]`. */
export function formatKeyPath(path: KeyPath): string {
    return path.slice(1).reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${part}`), path[0]);
}

/**
 * The failure for a key WcowUtilityVm does not take: an unknown input (with the closest input name,
 * or the list), an unknown timeout, or any other key inside an input's value.
 */
export function unknownKeyFailure(path: KeyPath): ValidationFailure {
    const field = formatKeyPath(path);
    const key = String(path[path.length - 1]);
    const proto = key === "__proto__" ? PROTO_NOTE : "";
    if (path.length === 1) {
        const suggestion = closestName(key, FIELD_NAMES);
        return {
            field,
            message:
                `unknown input ${quote(key)}: WcowUtilityVm has no such input; ` +
                (suggestion !== undefined ? `did you mean ${quote(suggestion)}?` : `the inputs are ${FIELD_NAMES.join(", ")}`) +
                proto,
        };
    }
    if (path.length === 2 && path[0] === "timeouts") {
        const suggestion = closestName(key, TIMEOUT_NAMES);
        return {
            field,
            message:
                `unknown timeout ${quote(key)}; the timeouts are ${TIMEOUT_NAMES.join(", ")}` +
                (suggestion !== undefined ? ` (did you mean ${quote(suggestion)}?)` : "") +
                proto,
        };
    }
    const parent = formatKeyPath(path.slice(0, -1) as unknown as KeyPath);
    return { field, message: `unknown key ${quote(key)}: ${parent} takes no such key; remove it${proto}` };
}
