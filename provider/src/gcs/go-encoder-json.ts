/**
 * JSON text as Go's `encoding/json` writes it, for values whose key order is already Go's (objects
 * built in field declaration order). The GCS bridge sends hcsshim's JSON, and the guest parses
 * Go-encoded text; JavaScript's JSON.stringify differs from Go only in escapes, and only inside
 * strings (no JSON syntax outside a string contains these characters, so replacing them anywhere is
 * replacing them in strings):
 *
 * - `<`, `>`, `&` are escaped by `json.Marshal` (HTML-safe), not by an Encoder with
 *   `SetEscapeHTML(false)`, which the bridge uses for whole messages (`bridge.go` sendLoop);
 * - U+2028 and U+2029 are always escaped by Go;
 * - an unpaired surrogate is invalid UTF-8 to Go, written as `\ufffd`; JSON.stringify writes `\udxxx`.
 */
export function goJsonText(value: unknown, options: { readonly escapeHtml: boolean }): string {
    let text = JSON.stringify(value)
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029")
        // An odd run of backslashes ends in an escape; an even one is escaped backslashes, then text.
        .replace(/(\\+)ud[89a-f][0-9a-f]{2}/g, (match, slashes: string) => slashes.length % 2 === 1 ? `${slashes}ufffd` : match);
    if (options.escapeHtml) text = text.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
    return text;
}
