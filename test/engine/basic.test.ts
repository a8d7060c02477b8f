/**
 * examples/basic through the real Pulumi engine (CLI, Node language host, dynamic-provider plugin)
 * against a simulated host: preview, up, a stable second preview, an in-place update, a replacement,
 * invalid input, drift and refresh, destroy. Each step asserts the CLI's JSON, the stack state and
 * the simulator's own view.
 */
import fs from "node:fs";
import path from "node:path";
import { isNotFound } from "../../provider/src/hcs";
import { viaAgent } from "../support/agent-mode";
import { expectSuccess, newPulumiProject, type PulumiProject, stepsOf, utilityVms } from "../support/pulumi-project";
import { expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(120_000);

let host: TestHost;
let project: PulumiProject;

const LAYERS = ["C:\\layers\\base", "C:\\uvms\\build-uvm"];

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    project = await newPulumiProject("basic", { PULUMI_HCS_HOST: host.hostName });
    await project.config({ layerFolders: LAYERS, processorCount: 2, memorySizeInMB: 2048 });
});

afterAll(async () => {
    project?.remove();
    await host?.stop();
});

async function vmInState(): Promise<{ id: string; outputs: Record<string, unknown> }> {
    const vms = utilityVms(await project.exportState());
    expect(vms).toHaveLength(1);
    return { id: vms[0]!.id!, outputs: vms[0]!.outputs! };
}

describe("examples/basic through the Pulumi CLI", () => {
    it("previews the create on an empty stack", async () => {
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(stepsOf(preview)).toContain("create build-uvm");
        expect((await host.sim.control.state()).systems).toEqual([]);
    });

    it("creates the VM with `up`: Running in the simulator, with the document the provider reports", async () => {
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const { id, outputs } = await vmInState();
        expect(outputs).toMatchObject({ state: "Running", processorCount: 2, memorySizeInMB: 2048, scratchCreated: true });
        // Through an agent (the engine suite's agent run) the agent holds the guest; directly it ended with the provider.
        expect([outputs.host, outputs.guestConnection]).toEqual([host.hostName, viaAgent() ? "connected" : "lost"]);
        const systems = (await host.sim.control.state()).systems;
        expect(systems.map((s) => [s.id, s.state, s.memorySizeInMB, s.processorCount])).toEqual([[id, "Running", 2048, 2]]);
        expect(outputs.runtimeId).toBe(systems[0]!.runtimeId);
        expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", "build-uvm", "sandbox.vhdx"))).toBe(true);
        const stackOutputs = await project.outputs();
        expect(stackOutputs).toMatchObject({ computeSystemId: id, state: "Running", runtimeId: outputs.runtimeId });
    });

    it("previews no changes for the same program", async () => {
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(preview.changeSummary).toEqual({ same: 2 });
        const noChanges = await project.pulumi(["preview", "--expect-no-changes"]);
        expectSuccess(noChanges);
    });

    it("previews a processorLimit change as an update and applies it in place (same runtime ID)", async () => {
        const before = await vmInState();
        await project.config({ processorLimit: 50000 });
        const preview = await project.previewJson();
        expect(stepsOf(preview)).toContain("update build-uvm");
        expect(preview.changeSummary).toMatchObject({ update: 1 });
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const after = await vmInState();
        expect(after.id).toBe(before.id);
        expect(after.outputs).toMatchObject({ processorLimit: 50000, runtimeId: before.outputs.runtimeId });
        const system = await host.client.openComputeSystem(after.id);
        const configuration = (await system.properties(["Simulator" as never]) as unknown as { Simulator: { Configuration: { VirtualMachine: { ComputeTopology: { Processor: { Limit: number } } } } } }).Simulator.Configuration;
        await system.close();
        expect(configuration.VirtualMachine.ComputeTopology.Processor.Limit).toBe(50000);
    });

    it("previews a processorCount change as a replacement and replaces the VM (new runtime ID, old system gone)", async () => {
        const before = await vmInState();
        await project.config({ processorCount: 4 });
        const preview = await project.previewJson();
        expect(stepsOf(preview)).toContain("replace build-uvm");
        expect(preview.steps?.find((s) => s.op === "replace")?.replaceReasons).toEqual(["processorCount"]);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const after = await vmInState();
        expect(after.id).not.toBe(before.id);
        expect(after.outputs.runtimeId).not.toBe(before.outputs.runtimeId);
        expect(after.outputs.processorCount).toBe(4);
        expect(isNotFound(await host.client.openComputeSystem(before.id).catch((e: unknown) => e))).toBe(true);
        expect((await host.sim.control.state()).systems.map((s) => s.id)).toEqual([after.id]);
    });

    it("drops a VM killed behind Pulumi's back on refresh, and the next up recreates it", async () => {
        const before = await vmInState();
        await host.sim.control.kill(before.id);
        const refresh = await project.pulumi(["refresh", "--yes", "--skip-preview"]);
        expectSuccess(refresh);
        expect(utilityVms(await project.exportState())).toEqual([]);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const after = await vmInState();
        expect(after.outputs.state).toBe("Running");
        expect((await host.sim.control.state()).systems.map((s) => [s.id, s.state])).toEqual([[after.id, "Running"]]);
    });

    it("refreshes a healthy stack without changes", async () => {
        const refresh = await project.pulumi(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        expectSuccess(refresh);
    });

    it("fails preview on invalid input with every message, and creates nothing", async () => {
        const systemsBefore = (await host.sim.control.state()).systems;
        await project.config({ layerFolders: ["layers\\base", "C:\\uvms\\bad"], processorCount: 0 });
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        const output = preview.stdout + preview.stderr;
        expect(output).toContain("layerFolders[0]");
        expect(output).toContain("it is relative");
        expect(output).toContain("processorCount");
        expect(output).toContain("must be an integer from 1 to 2147483647");
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        expect((await host.sim.control.state()).systems).toEqual(systemsBefore);
        expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", "bad"))).toBe(false);
        await project.config({ layerFolders: LAYERS, processorCount: 4 });
    });

    it("destroys every system and every scratch file the stack made", async () => {
        const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expectSuccess(destroy);
        await expectHostEmpty(host);
        expect(utilityVms(await project.exportState())).toEqual([]);
    });
});
