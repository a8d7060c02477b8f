import { agentVmDetail } from "./agent-vm-summary";
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

On a host agent (--host grpcs://<name>:<port>), it prints the agent's view of the VM instead: the
API's Vm message (GetVm) with its snake_case fields (id, runtime_id, state, owner, assigned_memory_mb,
guest_connection, uvm_folder, scratch_path, created_folders, resource, created_at, request_id, ...),
the document the agent created it with parsed as JSON under "document" (and an adopted VM's settings
under "observed_json"; null when there is none). ID is the VM's ID (any running or created VM on the
agent's host) or a prefix only one of the agent's VMs (ListVms) starts with.

options:
${HOST_OPTION_HELP}

exit codes: 0 printed, 1 no such system, an ambiguous ID prefix, or the host (or agent) could not be
queried, 2 bad usage
`;

/** `pulumi-hcs inspect ID`. */
export function run(args: string[]): Promise<number> {
    return runSystemCommand("inspect", HELP, args, {}, {
        direct: async (system, _values, host) => {
            const { detail, properties } = await inspectSystem(host, system);
            return `${JSON.stringify({ ...detail, properties }, null, 2)}\n`;
        },
        agent: (vm) => Promise.resolve(`${JSON.stringify(agentVmDetail(vm), null, 2)}\n`),
    });
}
