/**
 * During preview, inputs computed from other resources reach check and diff as this sentinel
 * string, whatever their declared type (pulumi `runtime/rpc.ts` `unknownValue`; pulumi#6310).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value is, or contains, a value not known until apply. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}
