import { parseArgs } from "node:util";
import { isAlreadyStopped, isNotFound } from "../hcs";
import { connectCommandHost, HOST_OPTION_HELP } from "./host-option";

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
export async function run(args: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args, allowPositionals: true, options: {
            force: { type: "boolean" }, host: { type: "string" }, help: { type: "boolean", short: "h" },
        } });
    } catch (err) {
        process.stderr.write(`pulumi-hcs rm: ${(err as Error).message}\n\n${HELP}`);
        return 2;
    }
    if (parsed.values.help) {
        process.stdout.write(HELP);
        return 0;
    }
    const [id, ...extra] = parsed.positionals;
    if (id === undefined || extra.length > 0) {
        process.stderr.write(`pulumi-hcs rm: give exactly one compute-system ID\n\n${HELP}`);
        return 2;
    }
    try {
        const host = await connectCommandHost(parsed.values.host);
        const system = await host.hcs.openComputeSystem(id);
        try {
            await (parsed.values.force ? system.terminate() : system.shutdown());
        } catch (err) {
            if (!isAlreadyStopped(err)) throw err;
        } finally {
            await system.close();
        }
        process.stdout.write(`${parsed.values.force ? "terminated" : "shut down"} ${id}\n`);
        return 0;
    } catch (err) {
        const message = isNotFound(err) ? `no compute system '${id}' on this host` : (err as Error).message;
        process.stderr.write(`pulumi-hcs rm: ${message}\n`);
        return 1;
    }
}
