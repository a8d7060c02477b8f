import { parseArgs } from "node:util";
import { isNotFound } from "../hcs";
import { connectCommandHost, HOST_OPTION_HELP } from "./host-option";

const HELP = `usage: pulumi-hcs inspect ID [--host HOST]

Prints a compute system's properties as JSON (HcsGetComputeSystemProperties with the Memory,
Statistics and TerminateOnLastHandleClosed property types).

options:
${HOST_OPTION_HELP}

exit codes: 0 printed, 1 no such system or the host could not be queried, 2 bad usage
`;

/** `pulumi-hcs inspect ID`. */
export async function run(args: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args, allowPositionals: true, options: { host: { type: "string" }, help: { type: "boolean", short: "h" } } });
    } catch (err) {
        process.stderr.write(`pulumi-hcs inspect: ${(err as Error).message}\n\n${HELP}`);
        return 2;
    }
    if (parsed.values.help) {
        process.stdout.write(HELP);
        return 0;
    }
    const [id, ...extra] = parsed.positionals;
    if (id === undefined || extra.length > 0) {
        process.stderr.write(`pulumi-hcs inspect: give exactly one compute-system ID\n\n${HELP}`);
        return 2;
    }
    try {
        const host = await connectCommandHost(parsed.values.host);
        const system = await host.hcs.openComputeSystem(id);
        try {
            const properties = await system.properties(["Memory", "Statistics", "TerminateOnLastHandleClosed"]);
            process.stdout.write(`${JSON.stringify(properties, null, 2)}\n`);
        } finally {
            await system.close();
        }
        return 0;
    } catch (err) {
        const message = isNotFound(err) ? `no compute system '${id}' on this host` : (err as Error).message;
        process.stderr.write(`pulumi-hcs inspect: ${message}\n`);
        return 1;
    }
}
