/**
 * The operator commands on VMs a real `pulumi up` made (issue 12, item 7): `ps` names each VM's
 * Pulumi resource, and `inspect` shows an in-place update's limit, weight and CPU group on the host,
 * found by a prefix of the VM's ID.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, type TestHost } from "../support/simulated-host";
import { itDirectOnly } from "../support/agent-mode";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../provider/bin/pulumi-hcs.js");
const CPU_GROUP = "9d1e6a70-2b4c-4e8f-a1d3-5c7b9e0f2a46";

let host: TestHost;
let project: PulumiProject;

async function hcsCommand(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, PULUMI_HCS_HOST: host.hostName, PULUMI_HCS_LOG_LEVEL: "warn" } });
    return stdout;
}

function vms(web: Record<string, unknown> = {}) {
    return [
        { name: "web", args: { layerFolders: [BASE_LAYER, "C:\\uvms\\ops-web"], processorCount: 2, memorySizeInMB: 1024, ...web } },
        { name: "worker", args: { layerFolders: [BASE_LAYER, "C:\\uvms\\ops-worker"], processorCount: 1, memorySizeInMB: 2048 } },
    ];
}

/** The VMs in the stack: URN and compute-system ID by resource name. */
async function stackVms(): Promise<Map<string, { urn: string; id: string; runtimeId: string }>> {
    const vmsInState = utilityVms(await project.exportState());
    return new Map(vmsInState.map((r) => [r.urn.split("::").pop()!, { urn: r.urn, id: r.id!, runtimeId: r.outputs!.runtimeId as string }]));
}

useVmsProgram((fixture) => ({ host, project } = fixture));

beforeAll(async () => {
    await project.config({ vms: vms() });
    expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
});

describe("pulumi-hcs ps and inspect after pulumi up", () => {
    it("ps names each VM's Pulumi resource, with its processors and memory", async () => {
        const inStack = await stackVms();
        const rows = JSON.parse(await hcsCommand("ps", "--json")) as { id: string; name: string; resource: string; processorCount: number; assignedMemoryInMB: number }[];
        expect(rows.map((r) => [r.name, r.id, r.resource, r.processorCount, r.assignedMemoryInMB]).sort()).toEqual([
            ["web", inStack.get("web")!.id, inStack.get("web")!.urn, 2, 1024],
            ["worker", inStack.get("worker")!.id, inStack.get("worker")!.urn, 1, 2048],
        ]);
        const table = (await hcsCommand("ps")).split("\n");
        expect(table.find((l) => l.startsWith(inStack.get("worker")!.id))).toMatch(/^\S+\s+worker\s+pulumi-hcs\s+Running\s+\d+[smhd]\s+1\s+2048 MB\s+/);
    });

    itDirectOnly("inspect on an agent prints its Vm message, whose document is the create's, not the host's current limits (test/cli/agent-commands.test.ts)")("inspect, given an ID prefix, shows an in-place update of limit, weight and CPU group", async () => {
        const before = (await stackVms()).get("web")!;
        const prefix = before.id.slice(0, 13);
        const shownBefore = JSON.parse(await hcsCommand("inspect", prefix)) as Record<string, unknown>;
        expect(shownBefore).toMatchObject({ id: before.id, name: "web", processorLimit: 0, processorWeight: 0, cpuGroupId: "00000000-0000-0000-0000-000000000000" });

        await project.config({ vms: vms({ processorLimit: 40000, processorWeight: 250, cpuGroupId: CPU_GROUP }) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const after = (await stackVms()).get("web")!;
        expect(after.id).toBe(before.id);

        const shown = JSON.parse(await hcsCommand("inspect", prefix)) as Record<string, unknown>;
        expect(shown).toMatchObject({
            id: before.id, name: "web", resource: before.urn, runtimeId: before.runtimeId, state: "Running",
            processorLimit: 40000, processorWeight: 250, cpuGroupId: CPU_GROUP, scratchFolder: "C:\\uvms\\ops-web",
        });
    });

    it("after pulumi destroy, ps lists nothing", async () => {
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        expect(JSON.parse(await hcsCommand("ps", "--json"))).toEqual([]);
        await expectHostEmpty(host);
    });
});
