import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import { parseArgs } from "node:util";
import { buildComputeSystemDocument } from "../document/build-document";
import { marshalDocument } from "../document/marshal";
import { HostFileSystemError } from "../host/filesystem";
import { describeHostFileProblem, hostFileProblems } from "../host/host-file-problems";
import { UtilityVmFolderNotFoundError, locateUVMFolder } from "../host/locate-uvm-folder";
import { MappedFileSystem } from "../host/mapped-filesystem";
import { planScratch } from "../host/scratch-plan";
import { log } from "../log/logger";
import { resolveOptions } from "../model/resolve";
import { checkArgs, orderFailures } from "../model/validate";
import { formatFailure, type ValidationFailure } from "../model/validation-failure";

/** Exit codes of `pulumi-hcs render`. An unexpected error (a bug) reaches the dispatcher: exit 1. */
export const RENDER_EXIT = { ok: 0, invalid: 2 } as const;

const USAGE = "usage: pulumi-hcs render --args FILE --root DIR --logical-processors N --build N [--creator-processors N] [--pretty]";

const HELP = `${USAGE}

Print the HCS ComputeSystem document a WcowUtilityVm with the given inputs would be created with:
the exact JSON the provider sends to HcsCreateComputeSystem (hcsshim's key order and omission rules).
The target is a simulated host whose files live under --root; render only reads them (to find the
layer holding UtilityVM, and to check what hcsshim's CreateWCOW would fail on: that the scratch
folder can be created, that dumpDirectoryPath is a folder, that sandbox.vhdx exists or the layer's
UtilityVM\\SystemTemplate.vhdx can be copied to it) and never creates or changes anything, not even
the scratch folder or sandbox.vhdx.

options:
  --args FILE                 the WcowUtilityVm inputs as one JSON object, named as in the SDK
                              (e.g. {"layerFolders": ["C:\\\\layers\\\\base", "C:\\\\uvms\\\\vm1"]});
                              "-" reads standard input. Required.
  --root DIR                  the simulated host's root directory: Windows path C:\\a\\b is DIR/fs/c/a/b
                              (drive letter in lower case; names match case-insensitively, as on
                              Windows). Required.
  --logical-processors N      the host's logical processor count (an integer of at least 1): a
                              larger processorCount is lowered to N. Required: a wrong guess would
                              print a document the real host would not get.
  --build N                   the host's Windows build number (an integer of at least 1), e.g. 17763
                              for Windows Server 2019 or 20348 for Windows Server 2022; cpuGroupId
                              needs 19043 or later. Required, for the same reason.
  --creator-processors N      how many CPUs the process creating the VM may use (its affinity): the
                              default processorCount is 2, or 1 when N is 1, as in hcsshim.
                              Default: this process's (${os.availableParallelism()} here), as when
                              the provider creates the VM from this process.
  --pretty                    indent the document (Go json.MarshalIndent layout) instead of printing
                              the compact form HCS receives.
  -h, --help                  print this help and exit 0.

When computeSystemId is not among the inputs, a new lowercase v4 GUID is used (it names the
DebugOptions files when dumpDirectoryPath is set). Values changed on the user's behalf, as hcsshim
does (memory rounded up to an even MB, processorCount lowered to the host's), are logged as
warnings on standard error.

output:
  standard output   the document, then a newline (only when the inputs are valid)
  standard error    one line per problem, "field: message", or a command-line error that starts
                    with "pulumi-hcs render:"; JSON log lines

exit codes:
  0   the document was printed
  2   the inputs are invalid or the host does not fit them (every problem is listed), or the
      command line is wrong (unknown option, missing or bad value, unreadable --args file)
  1   an unexpected internal error (a bug; the stack trace is on standard error)
`;

/** A problem with the command line itself (not with the inputs it names). */
class UsageError extends Error {}

/** `pulumi-hcs render`: resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
    let command: RenderCommand;
    try {
        const parsed = await parseCommandLine(args);
        if (parsed === "help") {
            process.stdout.write(HELP);
            return RENDER_EXIT.ok;
        }
        command = parsed;
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`pulumi-hcs render: ${err.message}\n${USAGE}\nRun \`pulumi-hcs render --help\` for details.\n`);
        return RENDER_EXIT.invalid;
    }

    const rendered = await render(command);
    if (!rendered.ok) {
        process.stderr.write(rendered.failures.map((f) => `${printable(formatFailure(f))}\n`).join(""));
        return RENDER_EXIT.invalid;
    }
    process.stdout.write(`${rendered.document}\n`);
    return RENDER_EXIT.ok;
}

/** A parsed, checked command line. */
interface RenderCommand {
    readonly inputs: unknown;
    /** Integers in the file JavaScript cannot hold exactly, each quoted as written. */
    readonly inexact: readonly ValidationFailure[];
    readonly root: string;
    readonly logicalProcessors: number;
    readonly build: number;
    readonly creatorProcessors: number;
    readonly pretty: boolean;
}

/** The document, or every reason there is none. */
type Rendered = { readonly ok: true; readonly document: string } | { readonly ok: false; readonly failures: ValidationFailure[] };

async function render(command: RenderCommand): Promise<Rendered> {
    const resolved = resolveOptions(command.inputs, {
        logicalProcessors: command.logicalProcessors,
        build: command.build,
        creatorProcessors: command.creatorProcessors,
    });
    // An inexact integer's own failure quotes it as written; validation only saw the rounded number.
    const inexactFields = new Set(command.inexact.map((f) => f.field));
    const failures: ValidationFailure[] = orderFailures([
        ...command.inexact,
        ...(resolved.ok ? [] : resolved.failures.filter((f) => !inexactFields.has(f.field))),
    ]);
    if (resolved.ok) {
        for (const warning of resolved.warnings) {
            log.warn({ field: warning.field, requested: warning.requested, assigned: warning.assigned }, warning.message);
        }
    }
    // The host checks still run for the inputs that are fine on their own, so one run lists everything.
    const values = resolved.ok ? resolved.options : checkArgs(command.inputs).values;
    const fs = new MappedFileSystem(command.root);

    let uvmFolder: string | undefined;
    if (values.layerFolders !== undefined) {
        try {
            uvmFolder = await locateUVMFolder(fs, values.layerFolders);
        } catch (err) {
            failures.push(locateFailure(err, values.layerFolders));
        }
    }
    // What CreateWCOW would refuse on this host's files: the scratch folder, the dump directory, the scratch disk.
    const problems = await hostFileProblems(fs, {
        layerFolders: values.layerFolders ?? [],
        uvmFolder,
        dumpDirectoryPath: values.dumpDirectoryPath,
    });
    failures.push(...problems.map((p) => ({ field: p.field, message: describeHostFileProblem(p) })));
    if (!resolved.ok || failures.length > 0 || uvmFolder === undefined) return { ok: false, failures };

    const options = resolved.options;
    const plan = planScratch(options.layerFolders, uvmFolder);
    const document = buildComputeSystemDocument({
        options,
        computeSystemId: options.computeSystemId ?? randomUUID(),
        uvmFolder,
        scratchPath: plan.scratchPath,
    });
    return { ok: true, document: marshalDocument(document, command.pretty ? { indent: "  " } : {}) };
}

function locateFailure(err: unknown, layerFolders: readonly string[]): ValidationFailure {
    const wrapper = "failed to locate utility VM folder from layer folders"; // hcsshim CreateWCOW's wrapping
    if (err instanceof UtilityVmFolderNotFoundError) {
        const listed = layerFolders.map((f) => `${f}\\UtilityVM`).join(", ");
        return {
            field: err.field,
            message: `${wrapper}: ${err.message} (none of ${listed} exists; include the base layer that holds UtilityVM in layerFolders)`,
        };
    }
    if (err instanceof HostFileSystemError) return { field: "layerFolders", message: `${wrapper}: ${err.message}` };
    throw err;
}

/**
 * Parses and checks the command line, reading the `--args` file.
 *
 * @throws {UsageError} for anything wrong with the command line.
 */
async function parseCommandLine(args: string[]): Promise<RenderCommand | "help"> {
    let parsed;
    try {
        parsed = parseArgs({
            args,
            strict: true,
            allowPositionals: false,
            options: {
                args: { type: "string" },
                root: { type: "string" },
                "logical-processors": { type: "string" },
                build: { type: "string" },
                "creator-processors": { type: "string" },
                pretty: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (err) {
        throw new UsageError(messageOf(err));
    }
    const v = parsed.values;
    if (v.help) return "help";
    const argsFile = required(v.args, "--args FILE");
    const root = required(v.root, "--root DIR");
    const logicalProcessors = positiveInteger(required(v["logical-processors"], "--logical-processors N"), "--logical-processors");
    const build = positiveInteger(required(v.build, "--build N"), "--build");
    const creator = v["creator-processors"];
    const creatorProcessors = creator === undefined ? os.availableParallelism() : positiveInteger(creator, "--creator-processors");
    await requireDirectory(root);
    return { ...(await readInputs(argsFile)), root, logicalProcessors, build, creatorProcessors, pretty: v.pretty };
}

function required(value: string | undefined, option: string): string {
    if (value === undefined || value === "") throw new UsageError(`missing ${option}`);
    return value;
}

function positiveInteger(text: string, option: string): number {
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < 1) {
        throw new UsageError(`${option} must be an integer of at least 1, got ${JSON.stringify(text)}`);
    }
    return value;
}

async function requireDirectory(root: string): Promise<void> {
    const stat = await fsp.stat(root).catch(() => undefined);
    if (stat === undefined) throw new UsageError(`--root ${root} does not exist; give the simulated host's root directory`);
    if (!stat.isDirectory()) throw new UsageError(`--root ${root} is not a directory`);
}

async function readInputs(file: string): Promise<{ inputs: unknown; inexact: ValidationFailure[] }> {
    let text: string;
    try {
        text = file === "-" ? await readStdin() : await fsp.readFile(file, "utf8");
    } catch (err) {
        throw new UsageError(`cannot read --args ${file}: ${messageOf(err)}`);
    }
    let inexact: ValidationFailure[] = [];
    let inputs: unknown;
    try {
        inputs = JSON.parse(text, (key, value: unknown, context?: { source?: string }) => {
            // A number JavaScript cannot hold exactly would be judged (and quoted) as its rounded
            // neighbour: refuse it as written instead (JSON.parse hands revivers the source text).
            // It is the input's failure, listed with every other one (not a command-line error).
            if (typeof value === "number" && context?.source !== undefined && /^-?\d+$/.test(context.source) && !Number.isSafeInteger(value)) {
                inexact = [...inexact, {
                    field: key,
                    message: `${context.source} cannot be represented exactly (JavaScript reads it as ${value}); integers go up to ${Number.MAX_SAFE_INTEGER}`,
                }];
            }
            return value;
        }) as unknown;
    } catch (err) {
        throw new UsageError(`--args ${file} is not valid JSON: ${messageOf(err)}`);
    }
    return { inputs, inexact };
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
}

/** An error's message; read structurally because errors may come from another realm (a VM context). */
function messageOf(err: unknown): string {
    if (typeof err === "object" && err !== null && "message" in err && typeof err.message === "string") return err.message;
    return String(err);
}

/** Keeps one failure on one line: control characters (e.g. in an unknown input's name) as `\uXXXX`. */
function printable(line: string): string {
    // eslint-disable-next-line no-control-regex
    return line.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
