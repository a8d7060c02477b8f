import fs from "node:fs";
import { parseArgs } from "node:util";
import { summarizeDrift, type PreviewOutput } from "../gitops/drift-summary";
import { DRIFT_EXIT } from "../gitops/exit-codes";
import { driftTable } from "../gitops/drift-table";
import { refreshPreview } from "../gitops/refresh-preview";

const HELP = `usage: pulumi-hcs drift-report [--stack S] [--cwd DIR] [--from-file preview.json] [--json]

Checks a stack for drift: runs \`pulumi preview --refresh --json\` in the Pulumi project (the pulumi
on PATH, with this environment: backend, passphrase and PULUMI_HCS_HOST as for \`pulumi up\`), and
reports which utility VMs differ from the program and in which fields. The refresh reads every VM
first, so a VM killed, stopped or removed behind Pulumi's back shows as gone; a plain preview would
miss it. The preview writes no state.

The summary (schema pulumi-hcs.drift/v1, docs/operations.md "Reconcile") is printed as JSON with
--json, else as a short table.

options:
  --stack S           the stack (default: the project's selected stack)
  --cwd DIR           the Pulumi project's folder (default: the current directory)
  --from-file FILE    summarize this saved \`pulumi preview --refresh --json\` output instead of
                      running a preview ("-" reads standard input)
  --json              print the summary as JSON

exit codes: 0 no drift, 3 drift found, 1 the preview failed (or FILE is not a preview's JSON),
2 bad usage
`;

/** `pulumi-hcs drift-report`: the drift summary of one refresh-preview. */
export async function run(args: string[]): Promise<number> {
    let values: { stack?: string; cwd?: string; "from-file"?: string; json?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({
            args,
            options: {
                stack: { type: "string" },
                cwd: { type: "string" },
                "from-file": { type: "string" },
                json: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        process.stderr.write(`pulumi-hcs drift-report: ${(err as Error).message}\n\n${HELP}`);
        return DRIFT_EXIT.usage;
    }
    if (values.help) {
        process.stdout.write(HELP);
        return 0;
    }
    let preview: PreviewOutput;
    try {
        preview = values["from-file"] !== undefined
            ? readPreviewFile(values["from-file"])
            : await refreshPreview({ ...(values.cwd !== undefined ? { cwd: values.cwd } : {}), ...(values.stack !== undefined ? { stack: values.stack } : {}) });
    } catch (err) {
        process.stderr.write(`pulumi-hcs drift-report: ${(err as Error).message}\n`);
        return DRIFT_EXIT.error;
    }
    const summary = summarizeDrift(preview, values.stack !== undefined ? { stack: values.stack } : {});
    process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : driftTable(summary));
    return summary.drifted ? DRIFT_EXIT.drift : DRIFT_EXIT.clean;
}

function readPreviewFile(file: string): PreviewOutput {
    const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new Error(`${file} is not JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as PreviewOutput).steps)) {
        throw new Error(`${file} is not the output of \`pulumi preview --json\` (no "steps" list)`);
    }
    return parsed as PreviewOutput;
}
