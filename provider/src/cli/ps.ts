import { parseArgs } from "node:util";
import { isNotFound, type SystemProperties } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { formatAge } from "./format-age";
import type { WireVm } from "../agent/api";
import { type AgentVmSummary, summarizeAgentVm } from "./agent-vm-summary";
import { closeTarget, type CommandTarget, connectCommandTarget, HOST_OPTION_HELP } from "./host-option";
import { summarizeSystem, type SystemSummary } from "./system-summary";

const HELP = `usage: pulumi-hcs ps [--owner OWNER] [--json] [--host HOST]

Lists the compute systems on a host, like \`hcsdiag list\`:

  ID          the compute-system ID (inspect and rm take it, or a prefix only it starts with)
  NAME        the Pulumi resource its scratch folder's owner marker names
  OWNER       the Owner HCS reports (the resource's owner input; pulumi-hcs by default)
  STATE       Created, Running, Paused or Stopped
  AGE         time since HCS started it (Statistics.ContainerStartTime)
  CPUS        virtual processors
  MEMORY      memory assigned to it now
  RUNTIME ID  the Hyper-V VM's GUID

- means the host does not report it: a stopped VM has no memory or statistics, and Windows HCS
reports no VM's document, so NAME is known on a simulated host only.

On a host agent (--host grpcs://<name>:<port>), ps lists the VMs the agent created and still
owns (ListVms), not every compute system on its host. The columns are the same, read from the
agent's answer, plus GUEST; these differ:

  NAME        the Pulumi resource the VM was created for (its URN as the agent recorded it)
  AGE         time since the agent created it
  CPUS        the processor count of the document the agent created it with
  MEMORY      memory assigned to it now, else the size its document asks for
  GUEST       its guest connection: connected (the agent holds it), lost (it ended: the agent
              restarted since) or none (never started)

and in --json also "createdAt", "guestConnection" and "memorySizeInMB" (the document's size;
"startedAt" is null: the agent reports the creation time only).

options:
  --owner OWNER  only systems with this owner (repeatable; e.g. pulumi-hcs, the provider's default)
  --json         print a JSON array instead of a table (null where the table shows -; the
                 resource's URN as "resource", times as "startedAt" and "ageSeconds")
${HOST_OPTION_HELP}

exit codes: 0 listed, 1 the host (or agent) could not be queried or refused, or no credentials for
the agent, 2 bad usage
`;

/** Systems asked about at once: each is an open, a query and a close on the host. */
const CONCURRENCY = 8;

/** `pulumi-hcs ps`: HcsEnumerateComputeSystems, then each system's properties, as a table or JSON. */
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
    let target: CommandTarget | undefined;
    try {
        target = await connectCommandTarget(values.host);
        if (target.kind === "agent") {
            const { vms } = await target.agent.call<{ vms: WireVm[] }>("ListVms", {});
            const now = Date.now();
            const rows = vms
                .filter((vm) => values.owner === undefined || values.owner.includes(vm.owner))
                .map((vm) => summarizeAgentVm(vm, now))
                .sort((a, b) => a.id.localeCompare(b.id));
            process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows, AGENT_COLUMNS));
            return 0;
        }
        const host = target.host;
        const systems = await host.hcs.enumerateComputeSystems(values.owner ? { Owners: values.owner } : {});
        const rows = (await summarizeAll(host, systems)).sort((a, b) => a.id.localeCompare(b.id));
        process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows, COLUMNS));
        return 0;
    } catch (err) {
        process.stderr.write(`pulumi-hcs ps: ${(err as Error).message}\n`);
        return 1;
    } finally {
        closeTarget(target);
    }
}

/** Each listed system's summary; one that went away since the listing is left out. */
async function summarizeAll(host: TargetHost, systems: readonly SystemProperties[]): Promise<SystemSummary[]> {
    const rows: SystemSummary[] = [];
    let next = 0;
    const worker = async () => {
        while (next < systems.length) {
            const { Id: id } = systems[next++]!;
            try {
                const system = await host.hcs.openComputeSystem(id);
                try {
                    rows.push(await summarizeSystem(host, system));
                } finally {
                    await system.close();
                }
            } catch (err) {
                if (!isNotFound(err)) throw err;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, systems.length) }, worker));
    return rows;
}

interface Column<R> {
    readonly title: string;
    readonly cell: (row: R) => string;
}

const COLUMNS: readonly Column<SystemSummary>[] = [
    { title: "ID", cell: (s) => s.id },
    { title: "NAME", cell: (s) => s.name ?? "-" },
    { title: "OWNER", cell: (s) => s.owner || "-" },
    { title: "STATE", cell: (s) => s.state },
    { title: "AGE", cell: (s) => (s.ageSeconds === null ? "-" : formatAge(s.ageSeconds)) },
    { title: "CPUS", cell: (s) => (s.processorCount === null ? "-" : String(s.processorCount)) },
    { title: "MEMORY", cell: (s) => (s.assignedMemoryInMB === null ? "-" : `${s.assignedMemoryInMB} MB`) },
    { title: "RUNTIME ID", cell: (s) => s.runtimeId || "-" },
];

/** A host agent's VMs: MEMORY falls back to the document's size, and GUEST is the guest connection. */
const AGENT_COLUMNS: readonly Column<AgentVmSummary>[] = [
    ...COLUMNS.slice(0, 6),
    { title: "MEMORY", cell: (s) => {
        const mb = s.assignedMemoryInMB ?? s.memorySizeInMB;
        return mb === null ? "-" : `${mb} MB`;
    } },
    { title: "GUEST", cell: (s) => s.guestConnection },
    ...COLUMNS.slice(7),
];

function table<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
    const cells = [columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => c.cell(r)))];
    const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
    return cells.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n";
}
