import type { ReconcileStatus } from "./reconcile-status";

/** Shows a reconcile runner's progress to a person. */
export interface ProgressDisplay {
    /** A status event (also printed as JSON elsewhere with --json). */
    status(status: ReconcileStatus): void;
    /** A passing note during a long operation ("12 resources done"); only a terminal shows these. */
    note(text: string): void;
    /** Ends the display (a terminal line gets its newline). */
    close(): void;
}

/** Plain lines, one per status event: for logs, pipes and CI. */
export function plainLines(write: (text: string) => void): ProgressDisplay {
    return {
        status: (status) => write(`${status.time} ${status.stack} ${status.phase} ${status.reason}: ${status.message}${status.nextRunAt !== null ? ` (next: ${status.nextRunAt})` : ""}\n`),
        note: () => undefined,
        close: () => undefined,
    };
}

/**
 * One line, rewritten in place (carriage return, erase line), on a terminal: the phase, what is
 * running, for how long, and the latest note. A finished pass's line is kept (a newline) so the
 * terminal shows one line per pass.
 */
export function terminalLine(stream: { write(text: string): unknown; columns?: number }, now: () => number = Date.now): ProgressDisplay {
    let current: ReconcileStatus | undefined;
    let since = now();
    let note = "";
    let open = false;
    const timer = setInterval(() => render(), 1000);
    timer.unref();
    function render(): void {
        if (current === undefined) return;
        const seconds = Math.floor((now() - since) / 1000);
        const running = current.phase === "Reconciling" && current.nextRunAt === null ? ` ${seconds}s` : "";
        const text = `${current.stack} ${current.phase} ${current.reason}${running}: ${current.message}${note !== "" ? ` [${note}]` : ""}`;
        const width = Math.max(20, (stream.columns ?? 100) - 1);
        stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
        open = true;
    }
    return {
        status(status) {
            if (status.reason !== current?.reason || status.pass !== current?.pass) since = now();
            current = status;
            note = "";
            render();
            // A pass's last word stays on screen; the next status starts a new line.
            if (status.phase !== "Reconciling") {
                stream.write("\n");
                open = false;
                current = undefined;
            }
        },
        note(text) {
            note = text;
            render();
        },
        close() {
            clearInterval(timer);
            if (open) stream.write("\n");
            open = false;
        },
    };
}
