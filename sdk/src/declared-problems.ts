/**
 * The problems the SDK can see in a WcowUtilityVm's inputs at the moment the program declares it:
 * the model's rules that need no host (input-model.ts), applied to the inputs whose values are
 * plain data by then. Nothing is waited for: an input that holds an Output or a Promise anywhere is
 * unknown here, and every rule that reads it is left to the provider's check, which sees it
 * resolved. Rules that need the host's facts (its build, its processors) are check's alone.
 */
import type { InputModel, InputProblem } from "./input-model";
import type { KeyPath } from "./screen-args";

/**
 * Each problem as one line, `field: message`, as check words it: the keys not sent first, then by
 * input; empty when the model is not available.
 * @param inputs the VM's inputs by name, as the SDK sends them (an undefined one is not given).
 * @param unsentKeys the keys screenArgs did not send, which check refuses as unknown.
 * @param model the implementation's model (loadInputModel), undefined when there is none.
 */
export function declaredProblems(inputs: Readonly<Record<string, unknown>>, unsentKeys: readonly KeyPath[], model: InputModel | undefined): string[] {
    if (model === undefined) return [];
    const known: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [name, value] of Object.entries(inputs)) {
        if (value === undefined) continue;
        if (isPlainData(value, new Set())) known[name] = value;
        else unknown.push(name);
    }
    const problems: InputProblem[] = [...unsentKeys.map((path) => model.unknownKeyFailure(path)), ...model.validateKnownArgs(known, unknown)];
    return problems.map((problem) => `${problem.field}: ${problem.message}`);
}

/**
 * Whether `value` reaches the provider as it is: JSON-like scalars, arrays and plain objects of
 * them. Anything else (an Output, a Promise, a class instance, an undefined or missing array item,
 * NaN or an infinity, a cycle) reaches it changed or resolved later, so the SDK cannot judge it the
 * way check will.
 */
function isPlainData(value: unknown, ancestors: Set<object>): boolean {
    if (value === null || typeof value === "string" || typeof value === "boolean") return true;
    if (typeof value === "number") return Number.isFinite(value);
    if (typeof value !== "object" || ancestors.has(value)) return false;
    const isArray = Array.isArray(value);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (!isArray && prototype !== Object.prototype && prototype !== null) return false;
    ancestors.add(value);
    try {
        // Pulumi drops an object's undefined values, as check's "not given" does; Array.from turns holes into undefined.
        const items: unknown[] = isArray ? Array.from(value as unknown[]) : Object.values(value);
        return items.every((item) => (item === undefined ? !isArray : isPlainData(item, ancestors)));
    } finally {
        ancestors.delete(value);
    }
}
