import { isAlreadyStopped } from "../hcs";
import { HOST_OPTION_HELP } from "./host-option";
import { runSystemCommand } from "./system-command";

const HELP = `usage: pulumi-hcs rm ID [--force] [--host HOST]

Stops a compute system: a graceful shutdown (HcsShutDownComputeSystem), or with --force a
terminate (HcsTerminateComputeSystem). HCS removes a stopped system once no handle to it remains.
A system that is already stopped counts as removed. Files the provider made (sandbox.vhdx) are
left alone: \`pulumi destroy\` removes those.

options:
  --force       terminate instead of shutting down
${HOST_OPTION_HELP}

exit codes: 0 stopped, 1 no such system or HCS refused, 2 bad usage
`;

/** `pulumi-hcs rm ID [--force]`. */
export function run(args: string[]): Promise<number> {
    return runSystemCommand("rm", HELP, args, { force: { type: "boolean" } }, async (system, values) => {
        try {
            await (values.force ? system.terminate() : system.shutdown());
        } catch (err) {
            if (!isAlreadyStopped(err)) throw err;
        }
        return `${values.force ? "terminated" : "shut down"} ${system.id}\n`;
    });
}
