import * as fs from "node:fs";
import * as path from "node:path";
import { enableDebugLogging } from "../log/logger";
import { providerRoot } from "../../sim/service/library-path";

/** One `pulumi-hcs` subcommand: its one-line summary and its implementation. */
interface Command {
    readonly summary: string;
    /** Loads the command's module only when it runs, so `render` never loads koffi. */
    readonly load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
    render: { summary: "print the HCS document a WcowUtilityVm would be created with", load: () => import("./render") },
    ps: { summary: "list compute systems (like hcsdiag list)", load: () => import("./ps") },
    inspect: { summary: "print a compute system's properties as JSON", load: () => import("./inspect") },
    rm: { summary: "shut down (or --force terminate) a compute system", load: () => import("./rm") },
    sim: { summary: "run and control the HCS simulator", load: () => import("./sim") },
    "drift-report": { summary: "check a stack for drift (pulumi preview --refresh): which VMs, which fields", load: () => import("./drift-report") },
    reconcile: { summary: "keep a stack reconciled: drift checks on an interval, optional remediation, retries", load: () => import("./reconcile") },
    agent: { summary: "run the host agent: the owner of this host's VMs, over gRPC with mutual TLS", load: () => import("./agent") },
};

function usage(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
    return [
        "usage: pulumi-hcs [--debug] <command> [options]",
        "       pulumi-hcs --version",
        "",
        "commands:",
        ...lines,
        "",
        "Run `pulumi-hcs <command> --help` for a command's options.",
        "Logs are JSON on stderr; set PULUMI_HCS_LOG_LEVEL (trace|debug|info|warn|error) or pass --debug.",
        "",
    ].join("\n");
}

/** The provider package's version: the one `npm ls pulumi-hcs-provider` and bug reports name. */
function version(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(providerRoot(), "package.json"), "utf8")) as { version?: string };
    return manifest.version ?? "unknown";
}

/** Entry point of the `pulumi-hcs` command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
    const args = [...argv];
    while (args[0] === "--debug") {
        enableDebugLogging();
        args.shift();
    }
    const name = args.shift();
    if (name === "--version") {
        process.stdout.write(`pulumi-hcs ${version()}\n`);
        return 0;
    }
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
        process.stdout.write(usage());
        return name === undefined ? 2 : 0;
    }
    const command = COMMANDS[name];
    if (!command) {
        process.stderr.write(`pulumi-hcs: unknown command '${name}'\n\n${usage()}`);
        return 2;
    }
    if (args.includes("--debug")) {
        enableDebugLogging();
        args.splice(args.indexOf("--debug"), 1);
    }
    const module = await command.load();
    return module.run(args);
}
