/**
 * Which host, not how to reach it (issue 11 item 5), through the real Pulumi CLI: VMs created on a
 * simulator's Unix socket preview no changes when the program reaches that simulator over TCP;
 * after the simulator comes back on another TCP port, `pulumi destroy` finds the VMs' host at the
 * new address in PULUMI_HCS_HOST (and refuses, naming the addresses, without it); a program that
 * names another simulator replaces the VMs.
 */
import { startSimulatorProcess, type RunningSimulator } from "../../provider/sim/service/launch";
import { seedLayers } from "../../provider/sim/service/seed-layers";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject, stepsOf, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, hostNameOf, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(240_000);

let host: TestHost;
/** The same simulated host after a crash, started again on its root with a new TCP port and secret. */
let restarted: RunningSimulator | undefined;
/** Another simulated host, with a root of its own. */
let other: RunningSimulator | undefined;
let project: PulumiProject;

beforeAll(async () => {
    // On TCP and on its socket; PULUMI_HCS_SIM_SECRET goes into this process's environment, and so to the CLI.
    host = await startTestHost({ tcp: true, logicalProcessors: 8 });
    project = await newTestProgram("vms", {});
});

afterAll(async () => {
    project?.remove();
    await other?.stop();
    await restarted?.stop();
    await host?.stop();
});

function vms(hostName: string, args: Record<string, unknown> = {}): { name: string; args: Record<string, unknown> }[] {
    return ["vm-a", "vm-b"].map((name) => ({ name, args: { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`], host: hostName, ...args } }));
}

describe("a VM's host is who the host is, not the address that reaches it", () => {
    const socketHost = (): string => `sim:${host.sim.ready.socket}`;
    let hostId: string;

    it("creates VMs on the simulator's socket, recording its host ID", async () => {
        await project.config({ vms: vms(socketHost()) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        hostId = `simulator:${(await host.sim.control.state()).hostId}`;
        const recorded = utilityVms(await project.exportState());
        expect(recorded.map((vm) => [vm.outputs?.host, vm.outputs?.hostId])).toEqual([[socketHost(), hostId], [socketHost(), hostId]]);
        await expectHostMatchesStacks(host, [await project.exportState()]);
    });

    it("previews no changes when the program reaches the same simulator over TCP", async () => {
        await project.config({ vms: vms(host.hostName) });
        expectSuccess(await project.pulumi(["preview", "--expect-no-changes"]));
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(preview.changeSummary).toEqual({ same: 3 });
    });

    it("records the TCP address when another input updates the VMs in place", async () => {
        const byId = (a: { id?: string }, b: { id?: string }): number => a.id!.localeCompare(b.id!);
        const before = utilityVms(await project.exportState()).sort(byId);
        await project.config({ vms: vms(host.hostName, { processorLimit: 50000 }) });
        const preview = await project.previewJson();
        expect(preview.changeSummary).toEqual({ same: 1, update: 2 });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const after = utilityVms(await project.exportState()).sort(byId);
        expect(after.map((vm) => [vm.id, vm.outputs?.host, vm.outputs?.hostId, vm.outputs?.runtimeId]))
            .toEqual(before.map((vm) => [vm.id, host.hostName, hostId, vm.outputs?.runtimeId]));
    });

    it("destroys the VMs after the simulator came back on another TCP port, found at PULUMI_HCS_HOST", async () => {
        const oldAddress = host.hostName;
        await host.sim.crash();
        restarted = await startSimulatorProcess({ root: host.sim.root, tcp: true, logicalProcessors: 8 });
        const newAddress = hostNameOf(restarted);
        expect(newAddress).not.toBe(oldAddress);
        expect((await restarted.control.state()).systems.map((s) => s.state)).toEqual(["Running", "Running"]);
        const secret = { PULUMI_HCS_SIM_SECRET: restarted.secret! };

        // The state's address is gone, and nothing says where the host went: refused, naming it.
        const refused = await project.pulumi(["destroy", "--yes", "--skip-preview"], { ...secret, PULUMI_HCS_HOST: "" });
        expect(refused.code).not.toBe(0);
        expect(refused.stdout).toContain(`it lives on host ${hostId}, and no address given reaches that host: the state's host '${oldAddress}' cannot be reached`);
        expect(refused.stdout).toContain("Set PULUMI_HCS_HOST to an address of host");
        expect(utilityVms(await project.exportState())).toHaveLength(2);
        expect((await restarted.control.state()).systems).toHaveLength(2);

        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"], { ...secret, PULUMI_HCS_HOST: newAddress }));
        expect(utilityVms(await project.exportState())).toEqual([]);
        await expectHostEmpty({ ...host, sim: restarted });
    });

    it("previews a replacement when the program names another simulated host", async () => {
        await project.config({ vms: vms(socketHost()) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        other = await startSimulatorProcess({ logicalProcessors: 8 });
        seedLayers(other.root, BASE_LAYER);
        await project.config({ vms: vms(`sim:${other.ready.socket}`) });
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(stepsOf(preview)).toEqual(expect.arrayContaining(["replace vm-a", "replace vm-b"]));
        expect(preview.steps?.filter((s) => s.op === "replace").map((s) => s.replaceReasons)).toEqual([["host"], ["host"]]);
        expect((await other.control.state()).systems).toEqual([]);

        await project.config({ vms: [] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        await expectHostEmpty({ ...host, sim: restarted! });
    });
});
