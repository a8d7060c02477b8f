/**
 * Checks a JSON value against the simulator's HCS schema (schema.ts) and reports every problem with
 * the path of the field it is about: `VirtualMachine.ComputeTopology.Memory.SizeInMb: unknown field`.
 */
import { HcsFailure, HR, EVENT_IDS } from "./hresults";
import { STRUCTS, type FieldType, type MapKey } from "./schema";

export interface SchemaProblem {
    readonly path: string;
    readonly message: string;
}

/** Problems beyond this many are counted, not listed. */
const MAX_PROBLEMS = 25;

const GUID = /^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$/;
/**
 * A GUID value, with or without one pair of braces. GUESS: HCS parses GUID strings with Windows'
 * GUID parser, which takes either form; hcsshim passes a CPU group ID through as its caller wrote
 * it, braces included, so a host that refused braces would fail hcsshim too. Map keys stay bare
 * (hcsshim writes them itself, without braces).
 */
const GUID_VALUE = /^(\{[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\}|[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12})$/;

/** `a.b`, `a[0]`, `a.<map key>`: the notation problems are reported in. */
export function joinPath(base: string, name: string | number): string {
    if (typeof name === "number") return `${base}[${name}]`;
    return base === "" ? name : `${base}.${name}`;
}

function typeName(t: FieldType): string {
    switch (t.kind) {
        case "int":
        case "enum":
            return t.name;
        case "struct":
            return `object (${t.name})`;
        case "array":
            return `array of ${typeName(t.of)}`;
        case "map":
            return `object (map of ${typeName(t.of)})`;
        case "guid":
            return "string (GUID)";
        case "any":
            return "any JSON value";
        default:
            return t.kind === "bool" ? "boolean" : t.kind;
    }
}

function jsonTypeOf(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    return typeof v === "number" && !Number.isInteger(v) ? "non-integer number" : typeof v;
}

function checkMapKey(key: MapKey, k: string): string | undefined {
    switch (key) {
        case "string":
            return undefined;
        case "guid":
            return GUID.test(k) ? undefined : "map key is not a GUID";
        default: {
            if (!/^(0|[1-9][0-9]*)$/.test(k)) return `map key is not a decimal ${key}`;
            const max = key === "uint8" ? 255 : key === "uint32" ? 0xffffffff : 2 ** 64 - 1;
            return Number(k) <= max ? undefined : `map key is larger than a ${key}`;
        }
    }
}

/** Validates `value` as `type`, appending problems. */
export function checkValue(type: FieldType, value: unknown, path: string, problems: SchemaProblem[]): void {
    if (problems.length > MAX_PROBLEMS) return;
    const wrongType = () => problems.push({ path, message: `expected ${typeName(type)}, got ${jsonTypeOf(value)}` });
    // GUESS: HCS treats an explicit null like a value of the wrong type, not like an absent field.
    switch (type.kind) {
        case "any":
            return;
        case "bool":
            if (typeof value !== "boolean") wrongType();
            return;
        case "string":
            if (typeof value !== "string") wrongType();
            return;
        case "guid":
            if (typeof value !== "string") wrongType();
            else if (!GUID_VALUE.test(value)) problems.push({ path, message: `expected a GUID like 01234567-89ab-cdef-0123-456789abcdef, got ${JSON.stringify(value)}` });
            return;
        case "int":
            if (typeof value !== "number" || !Number.isInteger(value)) wrongType();
            else if (value < type.min || value > type.max) problems.push({ path, message: `${value} is out of range for ${type.name}` });
            return;
        case "enum":
            if (typeof value !== "string") wrongType();
            else if (!type.values.includes(value)) {
                problems.push({ path, message: `${JSON.stringify(value)} is not a ${type.name} value (expected one of ${type.values.join(", ")})` });
            }
            return;
        case "object":
            if (typeof value !== "object" || value === null || Array.isArray(value)) wrongType();
            return;
        case "array":
            if (!Array.isArray(value)) {
                wrongType();
                return;
            }
            value.forEach((item, i) => checkValue(type.of, item, joinPath(path, i), problems));
            return;
        case "map": {
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                wrongType();
                return;
            }
            for (const [k, v] of Object.entries(value)) {
                const keyProblem = checkMapKey(type.key, k);
                if (keyProblem) problems.push({ path: joinPath(path, k), message: keyProblem });
                checkValue(type.of, v, joinPath(path, k), problems);
            }
            return;
        }
        case "struct": {
            const fields = STRUCTS[type.name];
            if (!fields) throw new Error(`schema.ts has no struct '${type.name}'`);
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                wrongType();
                return;
            }
            for (const [k, v] of Object.entries(value)) {
                const fieldType = fields[k];
                if (fieldType === undefined) {
                    const sameButCase = Object.keys(fields).find((f) => f.toLowerCase() === k.toLowerCase());
                    problems.push({
                        path: joinPath(path, k),
                        message: sameButCase ? `unknown field (field names are case-sensitive: did you mean ${sameButCase}?)` : "unknown field",
                    });
                    continue;
                }
                checkValue(fieldType, v, joinPath(path, k), problems);
            }
            return;
        }
    }
}

/** Validates a value as the named struct and returns the problems (empty when valid). */
export function validateStruct(structName: string, value: unknown, path = ""): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    checkValue({ kind: "struct", name: structName }, value, path, problems);
    return problems;
}

/** `path: message` (or just the message for the document itself). */
export function describeProblem(p: SchemaProblem): string {
    return p.path === "" ? p.message : `${p.path}: ${p.message}`;
}

/** An HCS_E_INVALID_JSON failure listing the problems, one error event each. */
export function invalidJson(what: string, problems: readonly SchemaProblem[]): HcsFailure {
    const lines = problems.slice(0, MAX_PROBLEMS).map(describeProblem);
    const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : "";
    const message = `The ${what} is invalid: ${lines.join("; ")}${more}`;
    return new HcsFailure(HR.HCS_E_INVALID_JSON, message, lines, EVENT_IDS.invalidJson);
}

/**
 * Parses JSON text.
 * @throws {HcsFailure} HCS_E_INVALID_JSON naming what the text was and where parsing stopped.
 */
export function parseJson(text: string, what: string): unknown {
    try {
        return JSON.parse(text);
    } catch (err) {
        throw invalidJson(what, [{ path: "", message: `not valid JSON (${(err as Error).message})` }]);
    }
}

/**
 * Parses and validates a request document that may be NULL or empty (then `undefined`).
 * @throws {HcsFailure} HCS_E_INVALID_JSON.
 */
export function parseOptional(text: string | null, structName: string, what: string): Record<string, unknown> | undefined {
    if (text === null || text.trim() === "") return undefined;
    const value = parseJson(text, what);
    const problems = validateStruct(structName, value);
    if (problems.length > 0) throw invalidJson(what, problems);
    return value as Record<string, unknown>;
}
