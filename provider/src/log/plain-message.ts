/** Fields whose values are never shown, at any depth (the logger's redaction, for plain text). */
const SECRET_KEYS = new Set(["secret", "token", "passphrase", "authorization", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_HCS_SIM_SECRET"]);

/**
 * A log line in plain words, for a person reading Pulumi's output rather than a program reading
 * JSON: `<field>: <message>: <err> (<name>: <value>, ...)`.
 *
 * - `field` (the input a warning is about) leads, as in check's failures;
 * - `err` (why something failed) follows the message after a colon;
 * - the other fields follow in parentheses, except those whose value the message already says
 *   (`compute system 'x' ...` needs no `id: x`), so each thing is said once;
 * - secrets-like fields show `[REDACTED]`.
 */
export function plainMessage(fields: Readonly<Record<string, unknown>>, message: string): string {
    const { field, err, ...rest } = fields;
    let text = message;
    if (typeof field === "string" && field !== "" && !says(text, field)) text = `${field}: ${text}`;
    if (err !== undefined && err !== null && !says(text, valueText("err", err))) text = `${text}: ${valueText("err", err)}`;
    const details = Object.entries(rest)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => [name, valueText(name, value)] as const)
        .filter(([, value]) => !says(text, value))
        .map(([name, value]) => `${name}: ${value}`);
    return details.length > 0 ? `${text} (${details.join(", ")})` : text;
}

function valueText(name: string, value: unknown): string {
    if (SECRET_KEYS.has(name)) return "[REDACTED]";
    if (typeof value === "string") return value;
    if (value instanceof Error) return value.message;
    if (Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null)) return value.join(", ");
    if (value !== null && typeof value === "object") {
        return JSON.stringify(value, (key, inner: unknown) => (SECRET_KEYS.has(key) ? "[REDACTED]" : inner));
    }
    return String(value);
}

/** Whether `text` already contains `value` as a whole word (so `1` is not found in `10`). */
function says(text: string, value: string): boolean {
    if (value === "" || value === "[REDACTED]") return false;
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^\\w.])${escaped}($|[^\\w])`).test(text);
}
