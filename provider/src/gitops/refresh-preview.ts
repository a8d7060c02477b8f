import { execFile } from "node:child_process";
import type { PreviewOutput } from "./drift-summary";

/** Where and how to run the drift check. */
export interface RefreshPreviewOptions {
    /** The Pulumi project's folder. @default the current directory */
    readonly cwd?: string;
    /** The stack; by default the project's selected stack. */
    readonly stack?: string;
    /** The `pulumi` to run. @default `pulumi` on PATH (never downloaded) */
    readonly command?: string;
    /** Environment for the CLI. @default this process's */
    readonly env?: NodeJS.ProcessEnv;
    /** Stops the preview (the CLI gets SIGINT, as on Ctrl+C, and cancels cleanly). */
    readonly signal?: AbortSignal;
}

/** The text the CLI prints when another update holds the stack's lock (file, postgres and azblob backends; Pulumi Cloud says 409). */
const LOCKED_PATTERNS = ["the stack is currently locked by", "[409] Conflict: Another update is currently in progress."];

/** The drift check failed: the CLI could not preview (the program failed, the host was unreachable...). */
export class RefreshPreviewError extends Error {
    constructor(
        message: string,
        readonly exitCode: number,
        readonly stderr: string,
        /** Whether another update held the stack (the check can be retried once it ends). */
        readonly stackLocked: boolean,
    ) {
        super(message);
        this.name = "RefreshPreviewError";
    }
}

/**
 * Runs `pulumi preview --refresh --json` and returns its parsed output. A preview that proposes
 * changes exits 0 (only `--expect-no-changes` turns changes into exit 7, and then the JSON is the
 * same), so any other exit code is a failure.
 * @throws RefreshPreviewError when the CLI fails or prints no JSON.
 */
export function refreshPreview(options: RefreshPreviewOptions = {}): Promise<PreviewOutput> {
    const args = ["preview", "--refresh", "--json", "--non-interactive", ...(options.stack !== undefined ? ["--stack", options.stack] : [])];
    return new Promise((resolve, reject) => {
        execFile(options.command ?? "pulumi", args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            maxBuffer: 512 * 1024 * 1024,
            ...(options.signal !== undefined ? { signal: options.signal, killSignal: "SIGINT" as const } : {}),
        }, (err, stdout, stderr) => {
            if (err !== null && (err as NodeJS.ErrnoException).code === "ENOENT") {
                return reject(new RefreshPreviewError(`cannot run the Pulumi CLI: ${options.command ?? "pulumi"} is not on PATH`, 1, "", false));
            }
            const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
            let parsed: PreviewOutput | undefined;
            try {
                parsed = JSON.parse(stdout) as PreviewOutput;
            } catch {
                parsed = undefined;
            }
            if (code === 0 && parsed !== undefined) return resolve(parsed);
            const errors = (parsed?.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message?.trim()).filter(Boolean);
            const why = errors.length > 0 ? errors.join("\n") : stderr.trim() || (err?.message ?? "no JSON on stdout");
            const locked = LOCKED_PATTERNS.some((p) => stderr.includes(p) || why.includes(p));
            reject(new RefreshPreviewError(`pulumi ${args.join(" ")} failed (exit ${code}): ${why}`, code, stderr, locked));
        });
    });
}
