/**
 * What Pulumi's Node SDK cannot carry from the program to the provider's `check`, found in the
 * WcowUtilityVm constructor before it is lost. Everything else is the provider's to judge.
 *
 * - A top-level key that is not an input: Pulumi defines every property key on the resource object
 *   (`transferProperties` in runtime/rpc.ts), so `hasOwnProperty` or `toString` break registration
 *   (`onto.hasOwnProperty is not a function`) and `__proto__` replaces the resource's prototype.
 *   Such keys are not sent; their names are, and `check` refuses them as unknown inputs.
 * - A `__proto__` key inside an object: Pulumi copies objects by assignment, so the key becomes the
 *   copy's prototype: `{ "__proto__": { create: "1s" } }` reaches the provider as `{ create: "1s" }`,
 *   `{ "__proto__": [...] }` as an array. The key is taken out and named, like an unknown key.
 * - An unpaired UTF-16 surrogate in a string: Pulumi's protobuf encoder (google-protobuf 3.21)
 *   silently drops a high surrogate followed by another character, and a low surrogate, or a high one
 *   at the end, fails the whole registration with "string field contains invalid UTF-8", naming no
 *   field. The provider never sees the string, so the constructor throws, naming the field.
 *
 * Only values the program already holds are screened: strings, arrays and plain objects. A value
 * inside an Output or a Promise is resolved after the constructor returns and goes to Pulumi as it is.
 */

/** Where a key sits in the inputs: the top-level key, then object keys and array indexes. */
export type KeyPath = readonly [string, ...(string | number)[]];

/** What {@link screenArgs} lets through. */
export interface ScreenedArgs {
    /** The inputs to register: every input key given, with `__proto__` keys taken out of their values. */
    readonly inputs: Record<string, unknown>;
    /** The keys not sent: unknown top-level keys, and `__proto__` keys inside values. */
    readonly unsentKeys: readonly KeyPath[];
}

const EXAMPLE = '{ layerFolders: ["C:\\\\layers\\\\base", "C:\\\\uvms\\\\vm1"] }';

/**
 * Screens a WcowUtilityVm's args (see the module comment).
 * @param label how messages name the resource, like `WcowUtilityVm "build-uvm"`.
 * @param inputNames the keys that are inputs.
 * @throws {TypeError} when `args` is not an object, or a string or key the program gave holds an
 *   unpaired surrogate (every such field listed).
 */
export function screenArgs(label: string, args: unknown, inputNames: ReadonlySet<string>): ScreenedArgs {
    if (args === undefined || args === null) {
        throw new TypeError(`${label}: args is required: pass an object with layerFolders, like ${EXAMPLE}; got ${String(args)}`);
    }
    if (!isPlainObject(args)) {
        throw new TypeError(`${label}: args must be an object with layerFolders, like ${EXAMPLE}; got ${describe(args)}`);
    }
    const screen = new Screen();
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
        screen.checkKey([key], key);
        if (inputNames.has(key)) inputs[key] = screen.value([key], value);
        else screen.unsent.push([key]);
    }
    if (screen.problems.length > 0) throw new TypeError(`${label}: ${screen.problems.join("; ")}`);
    return { inputs, unsentKeys: screen.unsent };
}

/** One walk over the values: what it refused, and the keys it did not send. */
class Screen {
    readonly problems: string[] = [];
    readonly unsent: KeyPath[] = [];
    private readonly ancestors = new Set<object>();

    /** `value` as Pulumi should get it: strings checked, `__proto__` keys taken out of plain objects. */
    value(path: KeyPath, value: unknown): unknown {
        if (typeof value === "string") {
            this.checkString(path, value, (index, unit) => `${quote(value)} contains an unpaired UTF-16 surrogate ${unit} at index ${index}`);
            return value;
        }
        const walked = Array.isArray(value) || isPlainObject(value);
        if (!walked || this.ancestors.has(value)) return value; // Outputs, Promises, scalars; a cycle is Pulumi's to report
        this.ancestors.add(value);
        try {
            if (Array.isArray(value)) return value.map((item: unknown, index) => this.value([...path, index], item));
            const entries: [string, unknown][] = [];
            for (const [key, item] of Object.entries(value)) {
                this.checkKey([...path, key], key);
                if (key === "__proto__") this.unsent.push([...path, key]);
                else entries.push([key, this.value([...path, key], item)]);
            }
            return Object.fromEntries(entries);
        } finally {
            this.ancestors.delete(value);
        }
    }

    checkKey(path: KeyPath, key: string): void {
        this.checkString(path, key, (index, unit) => `the key ${quote(key)} contains an unpaired UTF-16 surrogate ${unit} at index ${index}`);
    }

    private checkString(path: KeyPath, text: string, what: (index: number, unit: string) => string): void {
        const index = loneSurrogateIndex(text);
        if (index === undefined) return;
        const unit = `U+${text.charCodeAt(index).toString(16).toUpperCase()}`;
        this.problems.push(
            `${formatKeyPath(path)}: ${what(index, unit)}, which Pulumi cannot send to the provider (its encoder drops it or fails the ` +
                `registration with "string field contains invalid UTF-8"); fix the string's encoding`,
        );
    }
}

/** The index of the first unpaired UTF-16 surrogate in `text`, or undefined. */
function loneSurrogateIndex(text: string): number | undefined {
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0xd800 && unit <= 0xdbff) {
            const next = text.charCodeAt(i + 1);
            if (next >= 0xdc00 && next <= 0xdfff) i++;
            else return i;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            return i;
        }
    }
    return undefined;
}

/** An object literal or `JSON.parse` result: not an array, Output, Promise or other class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const prototype: unknown = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
}

function formatKeyPath(path: KeyPath): string {
    return path.slice(1).reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${part}`), path[0]);
}

/** A string for a message, with unpaired surrogates and control characters escaped so the message itself can be sent. */
function quote(text: string): string {
    const shown = text.length > 100 ? `${text.slice(0, 100)}…` : text;
    // eslint-disable-next-line no-control-regex
    return `"${shown.replace(/[\u0000-\u001f"]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => (c === '"' ? '\\"' : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`))}"`;
}

function describe(value: unknown): string {
    if (typeof value === "string") return `the string ${quote(value)}`;
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object" && value !== null) return `an instance of ${value.constructor?.name ?? "a class"} (an Output or Promise of args is not supported; pass each input as an Output instead)`;
    return `${typeof value} ${String(value)}`;
}
