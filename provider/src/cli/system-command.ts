import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ComputeSystem } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { connectCommandHost } from "./host-option";
import { openByIdOrPrefix } from "./open-by-id-prefix";

/** The options every one-system command takes, besides its own. */
const COMMON_OPTIONS = { host: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

/**
 * Runs a command that acts on one compute system by ID or unique ID prefix (`inspect`, `rm`):
 * parses `ID` and the options (exit 2 on bad usage), opens the system on the `--host`, runs
 * `action`, always closes the handle, and prints what the action returns (exit 0) or why it failed
 * (exit 1: no such system, an ambiguous prefix, or HCS refused).
 */
export async function runSystemCommand<O extends NonNullable<ParseArgsConfig["options"]>>(
    name: string,
    help: string,
    args: string[],
    options: O,
    action: (system: ComputeSystem, values: Record<string, string | boolean | undefined>, host: TargetHost) => Promise<string>,
): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS, ...options } });
    } catch (err) {
        process.stderr.write(`pulumi-hcs ${name}: ${(err as Error).message}\n\n${help}`);
        return 2;
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
        process.stdout.write(help);
        return 0;
    }
    const [id, ...extra] = parsed.positionals;
    if (id === undefined || id === "" || extra.length > 0) {
        process.stderr.write(`pulumi-hcs ${name}: give exactly one compute-system ID\n\n${help}`);
        return 2;
    }
    try {
        const host = await connectCommandHost(typeof values.host === "string" ? values.host : undefined);
        const system = await openByIdOrPrefix(host, id);
        let output: string;
        try {
            output = await action(system, values, host);
        } finally {
            await system.close();
        }
        process.stdout.write(output);
        return 0;
    } catch (err) {
        process.stderr.write(`pulumi-hcs ${name}: ${(err as Error).message}\n`);
        return 1;
    }
}
