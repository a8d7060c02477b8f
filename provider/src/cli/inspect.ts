import { HOST_OPTION_HELP } from "./host-option";
import { runSystemCommand } from "./system-command";

const HELP = `usage: pulumi-hcs inspect ID [--host HOST]

Prints a compute system's properties as JSON (HcsGetComputeSystemProperties with the Memory,
Statistics and TerminateOnLastHandleClosed property types).

options:
${HOST_OPTION_HELP}

exit codes: 0 printed, 1 no such system or the host could not be queried, 2 bad usage
`;

/** `pulumi-hcs inspect ID`. */
export function run(args: string[]): Promise<number> {
    return runSystemCommand("inspect", HELP, args, {}, async (system) => {
        const properties = await system.properties(["Memory", "Statistics", "TerminateOnLastHandleClosed"]);
        return `${JSON.stringify(properties, null, 2)}\n`;
    });
}
