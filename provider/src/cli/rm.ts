import { parseArgs } from "node:util";
import { isAlreadyStopped } from "../hcs";
import { planScratch } from "../host/scratch-plan";
import { parseWindowsPath } from "../model/windows-path";
import { removeOwnedFolders } from "../uvm/owned-folders";
import { releaseScratch } from "../uvm/scratch-claim";
import { terminateIfExists } from "../uvm/terminate";
import { connectCommandHost, HOST_OPTION_HELP } from "./host-option";
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

options:
  --force            terminate instead of shutting down
  --scratch FOLDER   also release this scratch folder (implies --force)
${HOST_OPTION_HELP}

exit codes: 0 stopped (or released), 1 no such system, an ambiguous ID prefix, or HCS refused,
2 bad usage
`;

/** `pulumi-hcs rm ID [--force] [--scratch FOLDER]`; without --scratch, ID may be a unique prefix. */
export function run(args: string[]): Promise<number> {
    if (args.some((arg) => arg === "--scratch" || arg.startsWith("--scratch="))) return releaseCommand(args);
    return runSystemCommand("rm", HELP, args, { force: { type: "boolean" } }, async (system, values) => {
        try {
            await (values.force ? system.terminate() : system.shutdown());
        } catch (err) {
            if (!isAlreadyStopped(err)) throw err;
        }
        return `${values.force ? "terminated" : "shut down"} ${system.id}\n`;
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
    try {
        const host = await connectCommandHost(typeof values.host === "string" ? values.host : undefined);
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
