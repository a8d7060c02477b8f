/** examples/pool through the Pulumi CLI: N VMs from config, the output table, and a clean destroy. */
import { expectSuccess, newPulumiProject, type PulumiProject, stepsOf, utilityVms } from "../support/pulumi-project";
import { expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(120_000);

let host: TestHost;
let project: PulumiProject;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    project = await newPulumiProject("pool", { PULUMI_HCS_HOST: host.hostName });
    await project.config({ count: 3, baseLayer: "C:\\layers\\base", processorLimit: 30000 });
});

afterAll(async () => {
    project?.remove();
    await host?.stop();
});

describe("examples/pool through the Pulumi CLI", () => {
    it("previews three creates and brings up three running VMs with the pool's limits", async () => {
        const preview = await project.previewJson();
        expect(stepsOf(preview).filter((s) => s.startsWith("create pool-")).sort()).toEqual(["create pool-0", "create pool-1", "create pool-2"]);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const systems = (await host.sim.control.state()).systems;
        expect(systems.map((s) => [s.owner, s.state])).toEqual([["ci-pool", "Running"], ["ci-pool", "Running"], ["ci-pool", "Running"]]);
        const vms = utilityVms(await project.exportState());
        expect(vms.map((v) => v.outputs?.processorLimit)).toEqual([30000, 30000, 30000]);
        const table = (await project.outputs()).vmTable as { id: string; state: string }[];
        expect(table.map((r) => r.id).sort()).toEqual(systems.map((s) => s.id).sort());
        expect(table.every((r) => r.state === "Running")).toBe(true);
    });

    it("grows the pool in place: one more VM is created, the others are untouched", async () => {
        const before = (await host.sim.control.state()).systems.map((s) => s.runtimeId).sort();
        await project.config({ count: 4 });
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const after = (await host.sim.control.state()).systems.map((s) => s.runtimeId);
        expect(after).toHaveLength(4);
        expect(after.filter((r) => before.includes(r)).sort()).toEqual(before);
    });

    it("destroys the pool and every file it made", async () => {
        const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expectSuccess(destroy);
        await expectHostEmpty(host);
    });
});
