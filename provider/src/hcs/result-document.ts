/**
 * HCS answers a failed operation with a `ResultError` document:
 * `{ Error, ErrorMessage, ErrorEvents: [{ Message, StackTrace, Provider, EventId, Flags, Source }], Attribution }`.
 * The events are often the only place that says *why* (which file, which field).
 */
export interface HcsErrorEvent {
    readonly Message?: string;
    readonly StackTrace?: string;
    readonly Provider?: string;
    readonly EventId?: number;
    readonly Flags?: number;
    readonly Source?: string;
}

export interface ResultError {
    readonly Error?: number;
    readonly ErrorMessage?: string;
    readonly ErrorEvents?: readonly HcsErrorEvent[];
}

/** Parses a result document as a ResultError; anything else (or nothing) gives an empty error. */
export function parseResultError(document: string | undefined): ResultError {
    if (!document) return {};
    try {
        const parsed: unknown = JSON.parse(document);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
        const { Error: error, ErrorMessage, ErrorEvents } = parsed as Record<string, unknown>;
        return {
            ...(typeof error === "number" ? { Error: error } : {}),
            ...(typeof ErrorMessage === "string" ? { ErrorMessage } : {}),
            ...(Array.isArray(ErrorEvents) ? { ErrorEvents: ErrorEvents.filter(isEvent) } : {}),
        };
    } catch {
        // HCS documents are JSON; a non-JSON document is kept verbatim by the caller, not parsed.
        return {};
    }
}

function isEvent(value: unknown): value is HcsErrorEvent {
    return value !== null && typeof value === "object";
}

/**
 * One event the way hcsshim prints it (`internal/hcs/errors.go`):
 * `[Event Detail: <Message> Stack Trace: <..> Provider: <..> EventID: <..> flags: <..> Source: <..>]`,
 * leaving out empty parts.
 */
export function formatEvent(event: HcsErrorEvent): string {
    const parts = [`Event Detail: ${event.Message ?? ""}`];
    if (event.StackTrace) parts.push(`Stack Trace: ${event.StackTrace}`);
    if (event.Provider) parts.push(`Provider: ${event.Provider}`);
    if (event.EventId) parts.push(`EventID: ${event.EventId}`);
    if (event.Flags) parts.push(`flags: ${event.Flags}`);
    if (event.Source) parts.push(`Source: ${event.Source}`);
    return `[${parts.join(" ")}]`;
}

/**
 * The events that say something the error's text does not already say. HCS (and the simulator) often
 * repeat the ErrorMessage as the only event's Message; printing it again as `[Event Detail: <same>]`
 * doubles the error without adding a reason. The events stay whole on the error object.
 */
export function eventsAddingTo(said: string | undefined, events: readonly HcsErrorEvent[]): HcsErrorEvent[] {
    const seen = new Set(said === undefined ? [] : [said.trim()]);
    return events.filter((event) => {
        const message = (event.Message ?? "").trim();
        if (seen.has(message)) return false;
        seen.add(message);
        return true;
    });
}
