import { isDeepStrictEqual } from "node:util";

/**
 * Whether the resource option `replaceOnChanges` makes a change of input `field` (from `before` to
 * `after`) a replacement. The engine applies the option itself only to keys a provider reports as
 * changed, which Pulumi's Node dynamic-provider host never reports (it forwards no detailed diff), so
 * the SDK passes the option along and diff applies it here, with the engine's path semantics:
 * `"*"` is every input, `"layerFolders"` the whole input, `"timeouts.create"` or `"layerFolders[0]"`
 * only that part of it (a `*` segment matches any key or index).
 */
export function replaceOnChangesCovers(paths: readonly string[], field: string, before: unknown, after: unknown): boolean {
    return paths.some((path) => {
        const segments = parsePropertyPath(path);
        if (segments === undefined || segments.length === 0) return false;
        const [head, ...rest] = segments;
        if (head !== "*" && head !== field) return false;
        return head === "*" || !isDeepStrictEqual(valuesAt(before, rest), valuesAt(after, rest));
    });
}

/**
 * A Pulumi property path (`a.b[0]["c.d"]`) as its segments, or undefined when malformed (the engine
 * refuses those before any diff, so they cannot reach here from a real program).
 */
export function parsePropertyPath(path: string): (string | number)[] | undefined {
    const segments: (string | number)[] = [];
    const pattern = /^(?:\.?([^.[\]"]+)|\[(\d+|\*)\]|\["((?:[^"\\]|\\.)*)"\])/;
    let rest = path;
    while (rest !== "") {
        const match = pattern.exec(rest);
        if (match === null || (match[1] !== undefined && segments.length === 0 && rest.startsWith("."))) return undefined;
        if (match[1] !== undefined) segments.push(match[1]);
        else if (match[2] !== undefined) segments.push(match[2] === "*" ? "*" : Number(match[2]));
        else segments.push(JSON.parse(`"${match[3]}"`) as string);
        rest = rest.slice(match[0].length);
    }
    return segments;
}

/** The values at a path below `value` (several where a segment is `*`), in a comparable form. */
function valuesAt(value: unknown, segments: readonly (string | number)[]): unknown {
    if (segments.length === 0) return value ?? null;
    const [head, ...rest] = segments;
    if (value === null || typeof value !== "object") return null;
    if (head === "*") return Object.values(value).map((child) => valuesAt(child, rest));
    return valuesAt((value as Record<string | number, unknown>)[head as string | number], rest);
}
