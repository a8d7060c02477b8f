import { HOST_OPTION_HELP } from "./host-option";
import { inspectSystem } from "./system-summary";
import { runSystemCommand } from "./system-command";

const HELP = `usage: pulumi-hcs inspect ID [--host HOST]

Prints a compute system as JSON. ID is its ID or a prefix only it starts with.

  id, owner, state, runtimeId
  name, resource           the Pulumi resource (name and URN) its scratch folder's owner marker names
  startedAt, ageSeconds    Statistics.ContainerStartTime, and the time since
  processorCount           virtual processors (Memory.VirtualNodes)
  assignedMemoryInMB       Memory.VirtualMachineMemory.AssignedMemory
  processorLimit           Processor.Limit and .Weight of the VM's current document (0: the
  processorWeight          platform default), as an in-place update leaves them
  cpuGroupId               the CpuGroup property (00000000-0000-0000-0000-000000000000: none)
  terminateOnLastHandleClosed
  scratchFolder            the folder holding the VM's sandbox.vhdx
  properties               what HCS answered (Memory, Statistics, TerminateOnLastHandleClosed, CpuGroup)

null means the host does not report it: a stopped VM has no memory or statistics, builds before
19043 no CPU group, and Windows HCS reports no VM's document, so the limit, weight, scratch folder
and resource are known on a simulated host only.

options:
${HOST_OPTION_HELP}

exit codes: 0 printed, 1 no such system, an ambiguous ID prefix, or the host could not be queried,
2 bad usage
`;

/** `pulumi-hcs inspect ID`. */
export function run(args: string[]): Promise<number> {
    return runSystemCommand("inspect", HELP, args, {}, async (system, _values, host) => {
        const { detail, properties } = await inspectSystem(host, system);
        return `${JSON.stringify({ ...detail, properties }, null, 2)}\n`;
    });
}
