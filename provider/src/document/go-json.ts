/**
 * JSON with Go `encoding/json` semantics for struct types whose fields all carry `omitempty`, which is
 * every schema2 type hcsshim sends. Key order comes from explicit field lists (Go's struct declaration
 * order), never from the order JavaScript properties were assigned, so output can equal hcsshim's
 * byte for byte.
 */

/** A Go type, as far as `encoding/json` cares. */
export type GoType =
    | { readonly kind: "string" }
    | { readonly kind: "bool" }
    | { readonly kind: "int"; readonly name: GoIntegerName }
    /** A struct value (a map value or slice element); as a field, Go never omits it. */
    | GoStruct
    /** A pointer to a struct: omitted when nil, written even when every field is empty (`{}`). */
    | { readonly kind: "pointer"; readonly to: GoStruct }
    /** `map[string]T`: omitted when nil or empty; keys sorted bytewise (UTF-8 order). */
    | { readonly kind: "map"; readonly value: GoType }
    /** `[]T`: omitted when nil or empty. */
    | { readonly kind: "slice"; readonly element: GoType }
    /** `interface{}` holding a value of type `holds`: omitted only when nil (a held 0 is written). */
    | { readonly kind: "interface"; readonly holds: GoType };

export type GoIntegerName = "int32" | "uint32" | "int64" | "uint64";

export interface GoStruct {
    readonly kind: "struct";
    /** The Go type name, for error messages. */
    readonly name: string;
    /** JSON names in declaration order; every field is `omitempty`. */
    readonly fields: readonly GoField[];
}

export interface GoField {
    readonly json: string;
    readonly type: GoType;
}

/** Options for {@link encodeGoJson}. */
export interface GoJsonOptions {
    /**
     * Indent each level with this string, like Go's `json.MarshalIndent(v, "", indent)`. Omitted:
     * compact, like `json.Marshal`.
     */
    readonly indent?: string;
}

// Go's integer limits; 64-bit limits are capped where a double stops counting exactly, because a
// larger JavaScript number may already be a rounded version of what the caller meant.
const INTEGER_RANGES: Readonly<Record<GoIntegerName, readonly [number, number]>> = {
    int32: [-2_147_483_648, 2_147_483_647],
    uint32: [0, 4_294_967_295],
    int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    uint64: [0, 2 ** 53],
};

/**
 * Encodes `value` as Go's `encoding/json` would encode the Go value of type `type`.
 *
 * @throws {TypeError} when a value does not have the declared type, or a struct has a property its
 *   Go type does not declare (so a misspelt field fails loudly instead of being dropped).
 * @throws {RangeError} when an integer does not fit its Go type.
 */
export function encodeGoJson(value: unknown, type: GoType, options: GoJsonOptions = {}): string {
    return new Encoder(options.indent).encode(value, type, 0, "");
}

class Encoder {
    constructor(private readonly indent: string | undefined) {}

    encode(value: unknown, type: GoType, depth: number, path: string): string {
        switch (type.kind) {
            case "string":
                if (value === undefined || value === null) return '""';
                if (typeof value !== "string") throw wrongType(path, "a string", value);
                return goQuote(value);
            case "bool":
                if (value === undefined || value === null) return "false";
                if (typeof value !== "boolean") throw wrongType(path, "a boolean", value);
                return value ? "true" : "false";
            case "int":
                return value === undefined || value === null ? "0" : encodeInteger(value, type.name, path);
            case "struct":
                return this.struct(value ?? {}, type, depth, path);
            case "pointer":
                return value === undefined || value === null ? "null" : this.struct(value, type.to, depth, path);
            case "interface":
                return value === undefined || value === null ? "null" : this.encode(value, type.holds, depth, path);
            case "map":
                return value === undefined || value === null ? "null" : this.map(value, type.value, depth, path);
            case "slice":
                return value === undefined || value === null ? "null" : this.slice(value, type.element, depth, path);
        }
    }

    private struct(value: unknown, type: GoStruct, depth: number, path: string): string {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            throw wrongType(path, `an object (Go ${type.name})`, value);
        }
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) {
            if (record[key] !== undefined && !type.fields.some((f) => f.json === key)) {
                throw new TypeError(`Cannot marshal ${path || type.name}: Go type ${type.name} has no field ${JSON.stringify(key)}`);
            }
        }
        const members: [string, string][] = [];
        for (const field of type.fields) {
            const fieldValue = record[field.json];
            if (isEmpty(fieldValue, field.type)) continue;
            members.push([goQuote(field.json), this.encode(fieldValue, field.type, depth + 1, join(path, field.json))]);
        }
        return this.object(members, depth);
    }

    private map(value: unknown, valueType: GoType, depth: number, path: string): string {
        if (typeof value !== "object" || Array.isArray(value)) throw wrongType(path, "an object (Go map)", value);
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record).sort(compareCodePoints);
        return this.object(
            keys.map((key) => [goQuote(key), this.encode(record[key], valueType, depth + 1, join(path, key))]),
            depth,
        );
    }

    private slice(value: unknown, element: GoType, depth: number, path: string): string {
        if (!Array.isArray(value)) throw wrongType(path, "an array (Go slice)", value);
        const items = value.map((item: unknown, i) => this.encode(item, element, depth + 1, `${path}[${i}]`));
        if (items.length === 0) return "[]";
        if (this.indent === undefined) return `[${items.join(",")}]`;
        const inner = this.indent.repeat(depth + 1);
        return `[\n${items.map((item) => inner + item).join(",\n")}\n${this.indent.repeat(depth)}]`;
    }

    private object(members: readonly (readonly [string, string])[], depth: number): string {
        if (members.length === 0) return "{}";
        if (this.indent === undefined) return `{${members.map(([k, v]) => `${k}:${v}`).join(",")}}`;
        const inner = this.indent.repeat(depth + 1);
        return `{\n${members.map(([k, v]) => `${inner}${k}: ${v}`).join(",\n")}\n${this.indent.repeat(depth)}}`;
    }
}

/** Go's `omitempty`: false, 0, "", nil pointer/interface, nil or empty map/slice. Structs never. */
function isEmpty(value: unknown, type: GoType): boolean {
    if (value === undefined || value === null) return type.kind !== "struct";
    switch (type.kind) {
        case "string":
            return value === "";
        case "bool":
            return value === false;
        case "int":
            return value === 0;
        case "map":
            return typeof value === "object" && Object.keys(value).length === 0;
        case "slice":
            return Array.isArray(value) && value.length === 0;
        case "struct":
        case "pointer":
        case "interface":
            return false;
    }
}

function encodeInteger(value: unknown, name: GoIntegerName, path: string): string {
    if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(path, `an integer (Go ${name})`, value);
    const [min, max] = INTEGER_RANGES[name];
    if (value < min || value > max) {
        throw new RangeError(`Cannot marshal ${path}: ${value} does not fit Go ${name} (${min} to ${max})`);
    }
    return value === 0 ? "0" : String(value);
}

function wrongType(path: string, expected: string, value: unknown): TypeError {
    const got = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
    return new TypeError(`Cannot marshal ${path || "value"}: expected ${expected}, got ${got}`);
}

function join(path: string, key: string): string {
    return path === "" ? key : `${path}.${key}`;
}

const HEX = "0123456789abcdef";

/**
 * A JSON string as Go's `encoding/json` writes it (Go 1.22 and later): `"` and `\` escaped; `\b`,
 * `\f`, `\n`, `\r`, `\t` as short escapes; other control characters as `\u00xx`; `<`, `>`, `&` as
 * `\u003c`, `\u003e`, `\u0026` (Go's HTML-safe default); U+2028 and U+2029 escaped; everything else
 * raw. An unpaired surrogate cannot be UTF-8, and Go writes invalid UTF-8 as `\ufffd`, so we do too.
 */
export function goQuote(text: string): string {
    let out = '"';
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff) {
            const next = text.charCodeAt(i + 1);
            if (next >= 0xdc00 && next <= 0xdfff) {
                out += text[i]! + text[i + 1]!;
                i++;
            } else {
                out += "\\ufffd";
            }
            continue;
        }
        if (c >= 0xdc00 && c <= 0xdfff) {
            out += "\\ufffd";
            continue;
        }
        switch (c) {
            case 0x22:
                out += '\\"';
                continue;
            case 0x5c:
                out += "\\\\";
                continue;
            case 0x08:
                out += "\\b";
                continue;
            case 0x0c:
                out += "\\f";
                continue;
            case 0x0a:
                out += "\\n";
                continue;
            case 0x0d:
                out += "\\r";
                continue;
            case 0x09:
                out += "\\t";
                continue;
        }
        if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
            out += `\\u${HEX[(c >> 12) & 0xf]}${HEX[(c >> 8) & 0xf]}${HEX[(c >> 4) & 0xf]}${HEX[c & 0xf]}`;
            continue;
        }
        out += text[i];
    }
    return `${out}"`;
}

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes: Go sorts map keys
 * by bytes, while JavaScript's default sort compares UTF-16 units and puts U+E000–U+FFFF after
 * supplementary characters.
 */
export function compareCodePoints(a: string, b: string): number {
    const left = [...a];
    const right = [...b];
    const n = Math.min(left.length, right.length);
    for (let i = 0; i < n; i++) {
        const x = left[i]!.codePointAt(0)!;
        const y = right[i]!.codePointAt(0)!;
        if (x !== y) return x - y;
    }
    return left.length - right.length;
}
