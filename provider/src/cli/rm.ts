import { parseArgs } from "node:util";
import { isAlreadyStopped } from "../hcs";
import { planScratch } from "../host/scratch-plan";
import { parseWindowsPath } from "../model/windows-path";
import { removeOwnedFolders } from "../uvm/owned-folders";
import { releaseScratch } from "../uvm/scratch-claim";
import { terminateIfExists } from "../uvm/terminate";
import { connectCommandHost, HOST_OPTION_HELP, namesAgent } from "./host-option";
import { runSystemCommand } from "./system-command";

const HELP = `usage: pulumi-hcs rm ID [--force] [--scratch FOLDER] [--host HOST]

Stops a compute system: a graceful shutdown (HcsShutDownComputeSystem), or with --force a
terminate (HcsTerminateComputeSystem). HCS removes a stopped system once no handle to it remains.
A system that is already stopped counts as removed. ID is the system's ID or a prefix only it
starts with (\`pulumi-hcs ps\` lists them); a prefix that several IDs start with is refused,
listing them.

Files are left alone unless --scratch names the VM's scratch folder (the last of its layerFolders):
then the VM is terminated if it still exists, and the folder is released if its owner marker
(pulumi-hcs.json) names ID: the disk pulumi-hcs copied for it, the marker, and the folders pulumi-hcs
made once empty. That is how to clear a VM a stack no longer tracks (retainOnDelete, pulumi state
delete) or the claim of an interrupted create. A folder whose marker names another VM is not touched.
With --scratch, ID must be the whole ID: the VM may be gone already, so there is nothing to match a
prefix against.

On a host agent (--host grpcs://<name>:<port>), rm asks the agent to delete the VM (DeleteVm): the
agent, which owns it, stops it as the provider's delete does (a graceful shutdown, then a terminate)
and removes the files its create made (the disk it copied, the owner marker, the folders it made).
The agent decides how to stop the VM, so --force is accepted and means the same; --scratch is
refused (the agent releases the files itself, and this command does not reach the host's files).
ID is the VM's ID, or a prefix only one of the agent's VMs (ListVms) starts with. Deleting needs
the agent's operator role; a refusal names the agent, the method and the code (PERMISSION_DENIED).

options:
  --force            terminate instead of shutting down (on a host agent: the same as without)
  --scratch FOLDER   also release this scratch folder (implies --force; not on a host agent)
${HOST_OPTION_HELP}

exit codes: 0 stopped, removed (or released), 1 no such system, an ambiguous ID prefix, or HCS or
the agent refused, 2 bad usage
`;

/** `pulumi-hcs rm ID [--force] [--scratch FOLDER]`; without --scratch, ID may be a unique prefix. */
export function run(args: string[]): Promise<number> {
    if (args.some((arg) => arg === "--scratch" || arg.startsWith("--scratch="))) return releaseCommand(args);
    return runSystemCommand("rm", HELP, args, { force: { type: "boolean" } }, {
        direct: async (system, values) => {
            try {
                await (values.force ? system.terminate() : system.shutdown());
            } catch (err) {
                if (!isAlreadyStopped(err)) throw err;
            }
            return `${values.force ? "terminated" : "shut down"} ${system.id}\n`;
        },
        agent: async (vm, _values, agent) => {
            // The runtime ID as listed: a newer VM created under the same ID since is not this one.
            // No resource: an operator's delete, not a resource's, so an adopted VM is removed too.
            await agent.call("DeleteVm", {
                id: vm.id,
                runtime_id: vm.runtime_id,
                scratch_path: vm.scratch_path,
                scratch_created: vm.scratch_created,
            }, { mutation: true });
            return `removed ${vm.id}\n`;
        },
    });
}

/** `rm ID --scratch FOLDER`: terminate if present, then release the folder when its marker names ID. */
async function releaseCommand(args: string[]): Promise<number> {
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            args,
            allowPositionals: true,
            options: { force: { type: "boolean" }, scratch: { type: "string" }, host: { type: "string" }, help: { type: "boolean", short: "h" } },
        }));
    } catch (err) {
        process.stderr.write(`pulumi-hcs rm: ${(err as Error).message}\n\n${HELP}`);
        return 2;
    }
    const [id, ...extra] = positionals;
    const folder = typeof values.scratch === "string" ? parseWindowsPath(values.scratch) : undefined;
    if (id === undefined || extra.length > 0 || folder === undefined || !folder.ok) {
        const why = folder !== undefined && !folder.ok
            ? `--scratch: ${folder.reason} (in a shell, quote the path: --scratch 'C:\\uvms\\vm1')`
            : "give exactly one compute-system ID";
        process.stderr.write(`pulumi-hcs rm: ${why}\n\n${HELP}`);
        return 2;
    }
    const hostFlag = typeof values.host === "string" ? values.host : undefined;
    if (namesAgent(hostFlag)) {
        process.stderr.write("pulumi-hcs rm: --scratch works on a host's own files, which a host agent does not expose: " +
            "run `pulumi-hcs rm ID` without --scratch, and the agent removes the VM and the files its create made\n");
        return 2;
    }
    try {
        const host = await connectCommandHost(hostFlag);
        const existed = await terminateIfExists(host, id);
        const plan = planScratch([folder.path], folder.path);
        if ((await host.fs.stat(plan.scratchPath)) !== undefined) await host.hcs.revokeVmAccess(id, plan.scratchPath);
        const released = await releaseScratch(host, plan, id);
        if (released) await removeOwnedFolders(host.fs, folder.path);
        process.stdout.write(`${existed ? "terminated" : "no compute system"} ${id}\n`);
        process.stdout.write(released ? `released ${folder.path}\n` : `${folder.path}: its owner marker does not name ${id}; left alone\n`);
        return existed || released ? 0 : 1;
    } catch (err) {
        process.stderr.write(`pulumi-hcs rm: ${(err as Error).message}\n`);
        return 1;
    }
}
