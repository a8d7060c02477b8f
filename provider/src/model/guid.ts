/** The all-zero GUID; HCS uses it as the "no CPU group" ID (hcsshim `cpugroup.NullGroupID`). */
export const NIL_GUID = "00000000-0000-0000-0000-000000000000";

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Parses a GUID written as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case),
 * optionally wrapped in one pair of braces as Windows tools print it (`{…}`), and returns its
 * canonical form (lower case, no braces), to compare GUIDs by. Returns `undefined` for anything else.
 *
 * Upper case and braces are accepted because PowerShell (`Get-VMHost`, `[guid]`) and the registry
 * print GUIDs that way. The canonical form is for comparing only: a `cpuGroupId` is sent to HCS as
 * written, as hcsshim sends its CPUGroupID.
 */
export function parseGuid(text: string): string | undefined {
    const inner = text.startsWith("{") && text.endsWith("}") ? text.slice(1, -1) : text;
    const lower = inner.toLowerCase();
    return GUID_PATTERN.test(lower) ? lower : undefined;
}

/** Whether two texts are the same GUID, however each is spelled (case, braces). */
export function sameGuid(a: string, b: string): boolean {
    const parsed = parseGuid(a);
    return parsed !== undefined && parsed === parseGuid(b);
}

/** Whether `text` is already a GUID in canonical form (lower case, no braces). */
export function isCanonicalGuid(text: string): boolean {
    return GUID_PATTERN.test(text);
}
