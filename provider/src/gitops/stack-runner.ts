import path from "node:path";
import { CommandError, ConcurrentUpdateError, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { summarizeDrift } from "./drift-summary";
import type { StackOperations } from "./reconcile-loop";
import { RefreshPreviewError, refreshPreview } from "./refresh-preview";

export interface OpenStackOptions {
    /** The Pulumi project's folder. */
    readonly workDir: string;
    /** The stack; by default the project's selected stack. */
    readonly stack?: string;
    /**
     * Where the Pulumi CLI is installed (its `bin/pulumi`); by default the `pulumi` on PATH. Never
     * downloaded: the Automation API's PulumiCommand.get only runs `pulumi version` to find it.
     */
    readonly pulumiRoot?: string;
    /** Called with each engine event of a remediation (for the progress display). */
    readonly onUpdateEvent?: (event: { readonly resOutputsEvent?: unknown; readonly resourcePreEvent?: unknown }) => void;
}

/** A stack opened through the Automation API, and the operations a reconcile pass runs on it. */
export interface OpenedStack {
    readonly name: string;
    readonly stack: Stack;
    readonly operations: StackOperations;
}

/**
 * Opens the stack through `@pulumi/pulumi/automation` (a LocalWorkspace over the project folder with
 * the CLI from PATH or `pulumiRoot`, then the stack selected in it, as `LocalWorkspace.selectStack`
 * does) and binds the reconcile operations to it:
 * - check: `pulumi preview --refresh --json` with the workspace's CLI and environment, summarized.
 *   The Automation API's own `stack.preview()` returns only a change summary, and the drift summary
 *   needs the per-VM, per-field steps the CLI prints with --json (the same drift-report reads).
 * - remediate: `stack.up({ refresh: true })` (3.270 has the option; it runs `pulumi up --refresh`),
 *   counting what it changed from the update's summary.
 */
export async function openStack(options: OpenStackOptions): Promise<OpenedStack> {
    const pulumiCommand = await PulumiCommand.get(options.pulumiRoot !== undefined ? { root: path.resolve(options.pulumiRoot) } : {}).catch((err: unknown) => {
        throw new Error(`cannot run the Pulumi CLI (${options.pulumiRoot !== undefined ? `${options.pulumiRoot}/bin/pulumi` : "`pulumi` on PATH"}): ${automationMessage(err)}`);
    });
    const workDir = path.resolve(options.workDir);
    const workspace = await LocalWorkspace.create({ workDir, pulumiCommand }).catch((err: unknown) => {
        throw new Error(`cannot open the Pulumi project in ${workDir}: ${automationMessage(err)}`);
    });
    const name = options.stack ?? (await workspace.stack().catch((err: unknown) => {
        throw new Error(`cannot find the selected stack in ${workDir}: ${automationMessage(err)}`);
    }))?.name;
    if (name === undefined) throw new Error(`no stack selected in ${workDir}: pass --stack`);
    const stack = await Stack.select(name, workspace).catch((err: unknown) => {
        throw new Error(`cannot select stack '${name}' in ${workDir}: ${automationMessage(err)}`);
    });
    const env = (): NodeJS.ProcessEnv => ({
        ...process.env,
        ...(stack.workspace.pulumiHome !== undefined ? { PULUMI_HOME: stack.workspace.pulumiHome } : {}),
        ...stack.workspace.envVars,
        // The directory of an explicit CLI first, as the Automation API does for its own commands.
        ...(path.isAbsolute(pulumiCommand.command) ? { PATH: [path.dirname(pulumiCommand.command), process.env.PATH].join(path.delimiter) } : {}),
    });
    return {
        name,
        stack,
        operations: {
            async check(signal) {
                const preview = await refreshPreview({ cwd: workDir, stack: name, command: pulumiCommand.command, env: env(), signal });
                return summarizeDrift(preview, { stack: name });
            },
            async remediate(signal) {
                try {
                    const result = await stack.up({ refresh: true, signal, ...(options.onUpdateEvent !== undefined ? { onEvent: options.onUpdateEvent } : {}) });
                    const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same").reduce((sum, [, n]) => sum + (n ?? 0), 0);
                    return { changes };
                } catch (err) {
                    throw new RemediationError(automationMessage(err), err);
                }
            },
            isConflict,
        },
    };
}

/** `pulumi up --refresh` failed; `cause` is the Automation API's error (a CommandError). */
export class RemediationError extends Error {
    constructor(message: string, override readonly cause: unknown) {
        super(message);
        this.name = "RemediationError";
    }
}

/** Whether another update holds the stack: the Automation API's ConcurrentUpdateError, or a locked preview. */
export function isConflict(err: unknown): boolean {
    if (err instanceof RefreshPreviewError) return err.stackLocked;
    const inner = err instanceof RemediationError ? err.cause : err;
    return inner instanceof ConcurrentUpdateError || (inner instanceof Error && inner.name === "ConcurrentUpdateError");
}

/**
 * What a person should read of an Automation API error: its `error:` lines. A CommandError's message
 * is the whole result (code, stdout, stderr), and the CLI's exit code sits one level down
 * (`commandResult.err`), where the API wraps the first error in a second.
 */
export function automationMessage(err: unknown): string {
    const stderr = stderrOf(err);
    if (stderr !== undefined) {
        const errors = stderr.split("\n").map((l) => l.trim()).filter((l) => /^error:/i.test(l));
        if (errors.length > 0) return errors.join("; ");
        const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
        if (lines.length > 0) return lines.slice(-3).join("; ");
    }
    return err instanceof Error ? err.message : String(err);
}

function stderrOf(err: unknown): string | undefined {
    let current: unknown = err;
    let found: string | undefined;
    // The innermost result with text is the CLI's own.
    for (let depth = 0; depth < 4 && current instanceof CommandError; depth++) {
        const result = (current as unknown as { commandResult?: { stderr?: string; err?: unknown } }).commandResult;
        if (typeof result?.stderr === "string" && result.stderr.trim() !== "") found = result.stderr;
        current = result?.err;
    }
    return found;
}
