import { parseArgs } from "node:util";
import { realClock } from "../gitops/clock";
import { driftTable } from "../gitops/drift-table";
import { DRIFT_EXIT } from "../gitops/exit-codes";
import { plainLines, terminalLine, type ProgressDisplay } from "../gitops/progress-display";
import { exitCodeOf, reconcile } from "../gitops/reconcile-loop";
import { statusLine } from "../gitops/reconcile-status";
import { parseDuration } from "../model/duration";

const HELP = `usage: pulumi-hcs reconcile [--stack S] [--cwd DIR] [--interval DURATION] [--remediate]
                            [--max-retries N] [--backoff DURATION] [--max-backoff DURATION]
                            [--json] [--pulumi-root DIR]

Keeps a stack reconciled with its program, for teams without a CI scheduler (docs/operations.md,
"Reconcile"). Each pass checks for drift with \`pulumi preview --refresh\` (every VM is read, so one
killed or removed behind Pulumi's back is seen); on drift it reports it, or with --remediate runs
\`pulumi up --refresh\`. A failed pass is retried with exponential backoff; when another update
holds the stack (ConcurrentUpdateError) the pass is retried, from the check, until that update
ends. It runs through the Pulumi Automation API with the \`pulumi\` on PATH (or --pulumi-root) and
this environment (backend, passphrase, PULUMI_HCS_HOST, as for \`pulumi up\`); it downloads nothing.

Phases: Reconciling (a pass is running or waiting to retry), Ready (no drift, or remediated),
Drifted (drift found, report-only), Stalled (the retries ran out).

options:
  --stack S                the stack (default: the project's selected stack)
  --cwd DIR                the Pulumi project's folder (default: the current directory)
  --interval DURATION      run a pass every DURATION ("10m", "1h"); without it, one pass and exit
  --remediate              run \`pulumi up --refresh\` on drift (default: report only)
  --max-retries N          retries of a failed or conflicting pass before it is Stalled (default 5)
  --backoff DURATION       the first retry's delay, doubled for each further one (default 5s)
  --max-backoff DURATION   the longest delay between retries (default 5m); each delay is jittered
                           between half and all of its step
  --json                   one JSON status line per event on stdout
  --pulumi-root DIR        the Pulumi CLI installation to use (DIR/bin/pulumi)

Signals: SIGINT or SIGTERM to this process stops it between passes: a running drift check is
cancelled (it writes nothing), a running \`up\` is left to finish; a second signal cancels the \`up\`
the way Ctrl+C cancels \`pulumi up\` (the CLI finishes the VM operations in flight, saves the state
and exits). Ctrl+C on a terminal signals the pulumi CLI as well (one process group): it cancels a
running \`up\` that same way at once. \`pulumi cancel\` (stack.cancel()) is never used: it drops the
lock of an update that may still be running.

exit codes (of the last pass): 0 no drift or converged (Ready), 3 drift found and not remediated
(Drifted), 4 remediation failed after the retries, 5 another update held the stack until the
retries ran out, 1 any other failure (or stopped before a pass ended), 2 bad usage
`;

interface ParsedOptions {
    readonly stack?: string;
    readonly cwd: string;
    readonly intervalMs?: number;
    readonly remediate: boolean;
    readonly maxRetries: number;
    readonly backoffMs: number;
    readonly maxBackoffMs: number;
    readonly json: boolean;
    readonly pulumiRoot?: string;
}

/** `pulumi-hcs reconcile`: see HELP. */
export async function run(args: string[]): Promise<number> {
    let options: ParsedOptions | "help";
    try {
        options = parseOptions(args);
    } catch (err) {
        process.stderr.write(`pulumi-hcs reconcile: ${(err as Error).message}\n\n${HELP}`);
        return DRIFT_EXIT.usage;
    }
    if (options === "help") {
        process.stdout.write(HELP);
        return 0;
    }

    const display = progressDisplay(options.json);
    let applied = 0;
    // Loaded here so that `pulumi-hcs --help` never loads the Automation API.
    const { openStack } = await import("../gitops/stack-runner");
    let opened: Awaited<ReturnType<typeof openStack>>;
    try {
        opened = await openStack({
            workDir: options.cwd,
            ...(options.stack !== undefined ? { stack: options.stack } : {}),
            ...(options.pulumiRoot !== undefined ? { pulumiRoot: options.pulumiRoot } : {}),
            onUpdateEvent: (event) => {
                const op = (event.resOutputsEvent as { metadata?: { op?: string } } | undefined)?.metadata?.op;
                if (op !== undefined && op !== "same") display?.note(`${++applied} resource changes applied`);
            },
        });
    } catch (err) {
        display?.close();
        process.stderr.write(`pulumi-hcs reconcile: ${(err as Error).message}\n`);
        return DRIFT_EXIT.error;
    }

    const stop = new AbortController();
    const interrupt = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
        if (!stop.signal.aborted) {
            process.stderr.write(`pulumi-hcs reconcile: ${signal}: stopping after the running operation (a drift check is cancelled; send it again to cancel an up)\n`);
            stop.abort();
        } else if (!interrupt.signal.aborted) {
            process.stderr.write(`pulumi-hcs reconcile: ${signal} again: cancelling the running up (pulumi finishes the VM operations in flight)\n`);
            interrupt.abort();
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        const outcome = await reconcile({
            stack: opened.name,
            remediate: options.remediate,
            ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
            maxRetries: options.maxRetries,
            backoff: { initialMs: options.backoffMs, maxMs: options.maxBackoffMs },
        }, {
            operations: opened.operations,
            clock: realClock,
            stop: stop.signal,
            interruptOperation: interrupt.signal,
            emit: (status) => {
                if (status.reason === "Remediating") applied = 0;
                if (options.json) process.stdout.write(`${statusLine(status)}\n`);
                display?.status(status);
                if (!options.json && status.phase === "Drifted" && status.summary !== undefined) process.stdout.write(driftTable(status.summary));
            },
        });
        return exitCodeOf(outcome);
    } finally {
        display?.close();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}

/** Plain lines or a terminal line on stdout; with --json the JSON owns stdout, and a terminal line goes to stderr if it is one. */
function progressDisplay(json: boolean): ProgressDisplay | undefined {
    if (json) return process.stderr.isTTY ? terminalLine(process.stderr) : undefined;
    return process.stdout.isTTY ? terminalLine(process.stdout) : plainLines((text) => process.stdout.write(text));
}

function parseOptions(args: string[]): ParsedOptions | "help" {
    const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            stack: { type: "string" },
            cwd: { type: "string" },
            interval: { type: "string" },
            remediate: { type: "boolean" },
            "max-retries": { type: "string" },
            backoff: { type: "string" },
            "max-backoff": { type: "string" },
            json: { type: "boolean" },
            "pulumi-root": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) return "help";
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    const duration = (flag: string, text: string | undefined, fallback?: number): number | undefined => {
        if (text === undefined) return fallback;
        const parsed = parseDuration(text);
        if (!parsed.ok) throw new Error(`--${flag}: ${parsed.reason.replace(/a timeout must/g, "it must").replace(/timeout/g, "duration")}`);
        return parsed.milliseconds;
    };
    const maxRetriesText = values["max-retries"] ?? "5";
    if (!/^\d+$/.test(maxRetriesText)) throw new Error(`--max-retries: '${maxRetriesText}' is not a whole number of retries (0 or more)`);
    const backoffMs = duration("backoff", values.backoff, 5_000)!;
    const maxBackoffMs = duration("max-backoff", values["max-backoff"], 300_000)!;
    if (maxBackoffMs < backoffMs) throw new Error(`--max-backoff (${values["max-backoff"] ?? "5m"}) is shorter than --backoff (${values.backoff ?? "5s"})`);
    const intervalMs = duration("interval", values.interval);
    return {
        ...(values.stack !== undefined ? { stack: values.stack } : {}),
        cwd: values.cwd ?? process.cwd(),
        ...(intervalMs !== undefined ? { intervalMs } : {}),
        remediate: values.remediate === true,
        maxRetries: Number(maxRetriesText),
        backoffMs,
        maxBackoffMs,
        json: values.json === true,
        ...(values["pulumi-root"] !== undefined ? { pulumiRoot: values["pulumi-root"] } : {}),
    };
}
