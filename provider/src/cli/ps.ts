import { parseArgs } from "node:util";
import type { SystemProperties } from "../hcs";
import { connectCommandHost, HOST_OPTION_HELP } from "./host-option";

const HELP = `usage: pulumi-hcs ps [--owner OWNER] [--json] [--host HOST]

Lists the compute systems on a host, like \`hcsdiag list\`: ID, owner, state and runtime ID.

options:
  --owner OWNER  only systems with this owner (repeatable; e.g. pulumi-hcs, the provider's default)
  --json         print a JSON array instead of a table
${HOST_OPTION_HELP}

exit codes: 0 listed, 1 the host could not be queried, 2 bad usage
`;

/** One row of `ps`. */
interface Row {
    readonly id: string;
    readonly owner: string;
    readonly state: string;
    readonly runtimeId: string;
}

/** `pulumi-hcs ps`: HcsEnumerateComputeSystems, printed as a table or JSON. */
export async function run(args: string[]): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({ args, options: {
            owner: { type: "string", multiple: true },
            json: { type: "boolean" },
            host: { type: "string" },
            help: { type: "boolean", short: "h" },
        } }));
    } catch (err) {
        process.stderr.write(`pulumi-hcs ps: ${(err as Error).message}\n\n${HELP}`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(HELP);
        return 0;
    }
    try {
        const host = await connectCommandHost(values.host);
        const systems = await host.hcs.enumerateComputeSystems(values.owner ? { Owners: values.owner } : {});
        const rows = systems.map(toRow).sort((a, b) => a.id.localeCompare(b.id));
        process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
        return 0;
    } catch (err) {
        process.stderr.write(`pulumi-hcs ps: ${(err as Error).message}\n`);
        return 1;
    }
}

function toRow(p: SystemProperties): Row {
    return { id: p.Id, owner: p.Owner ?? "", state: p.State ?? "Unknown", runtimeId: p.RuntimeId ?? "" };
}

function table(rows: readonly Row[]): string {
    const header: Row = { id: "ID", owner: "OWNER", state: "STATE", runtimeId: "RUNTIME ID" };
    const all = [header, ...rows];
    const width = (key: keyof Row) => Math.max(...all.map((r) => r[key].length));
    const [id, owner, state] = [width("id"), width("owner"), width("state")];
    return all.map((r) => `${r.id.padEnd(id)}  ${r.owner.padEnd(owner)}  ${r.state.padEnd(state)}  ${r.runtimeId}`.trimEnd()).join("\n") + "\n";
}
