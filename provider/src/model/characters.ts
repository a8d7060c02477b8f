/**
 * Character-level checks shared by the string inputs, and the quoting used to show a user's value
 * inside a message without letting control characters garble the terminal.
 */

/** A character a string input must not contain, with its position (UTF-16 index). */
export interface BadCharacter {
    readonly index: number;
    /** `U+000A` style code point label. */
    readonly codePoint: string;
    readonly kind: "nul" | "control" | "loneSurrogate";
}

/**
 * Finds the first NUL, C0 control character (U+0001–U+001F) or unpaired UTF-16 surrogate.
 *
 * NUL ends a `PCWSTR`, so HCS and Win32 would see a shorter string than the user wrote (Go's UTF-16
 * conversion refuses it with `EINVAL`). Controls are invalid in Windows file names. An unpaired
 * surrogate cannot be encoded as UTF-8, so it cannot round-trip through Pulumi state or the JSON
 * document.
 */
export function findBadCharacter(text: string, options: { readonly controls: boolean }): BadCharacter | undefined {
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        if (unit === 0) return { index: i, codePoint: label(unit), kind: "nul" };
        if (options.controls && unit < 0x20) return { index: i, codePoint: label(unit), kind: "control" };
        if (unit >= 0xd800 && unit <= 0xdbff) {
            const next = text.charCodeAt(i + 1);
            if (next >= 0xdc00 && next <= 0xdfff) {
                i++;
                continue;
            }
            return { index: i, codePoint: label(unit), kind: "loneSurrogate" };
        }
        if (unit >= 0xdc00 && unit <= 0xdfff) return { index: i, codePoint: label(unit), kind: "loneSurrogate" };
    }
    return undefined;
}

/** Explains a bad character as the tail of a sentence ("it contains …"). */
export function describeBadCharacter(bad: BadCharacter): string {
    switch (bad.kind) {
        case "nul":
            return `it contains a NUL character (U+0000) at index ${bad.index}, which would cut the string short in Windows APIs; remove it`;
        case "control":
            return `it contains the control character ${bad.codePoint} at index ${bad.index}, which Windows does not allow; remove it`;
        case "loneSurrogate":
            return `it contains an unpaired UTF-16 surrogate ${bad.codePoint} at index ${bad.index}, which cannot be stored as UTF-8 in Pulumi state or the HCS document; fix the string's encoding`;
    }
}

function label(unit: number): string {
    return `U+${unit.toString(16).toUpperCase().padStart(4, "0")}`;
}

const QUOTE_LIMIT = 300;

/**
 * Quotes a user's string for a message: double quotes, backslashes shown as typed (Windows paths stay
 * readable), control characters and unpaired surrogates as `\uXXXX`, long values shortened.
 */
export function quote(text: string): string {
    const shown = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
    // eslint-disable-next-line no-control-regex
    const escaped = shown.replace(/[\u0000-\u001f\u007f"]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
        c === '"' ? '\\"' : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    return `"${escaped}"`;
}

/**
 * Describes any value for a "got …" clause: `the string "4"`, `1.5`, `NaN`, `null`, `an array`,
 * `an object`.
 */
export function describeValue(value: unknown): string {
    if (typeof value === "string") return `the string ${quote(value)}`;
    if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
    if (typeof value === "bigint") return `the bigint ${value}`;
    if (value === null) return "null";
    if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
    if (typeof value === "object") return "an object";
    if (typeof value === "undefined") return "undefined";
    return `a ${typeof value}`;
}
