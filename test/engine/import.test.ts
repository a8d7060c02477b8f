/**
 * Adopting a compute system that already exists: the `import` resource option works (the SDK turns
 * it into adoptExisting, because the engine cannot import into a dynamic provider); `pulumi import`
 * does not, because a dynamic provider has no serialized code to run until a program registers it
 * (pulumi#16175).
 */
import { randomUUID } from "node:crypto";
import { expectSuccess, newPulumiProject, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

jest.setTimeout(120_000);

let host: TestHost;
let project: PulumiProject;
const id = `adopted-${randomUUID()}`;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id, { memorySizeInMB: 2048 }));
    await system.start();
    await system.close();
    project = await newPulumiProject("basic", { PULUMI_HCS_HOST: host.hostName });
    await project.config({ layerFolders: ["C:\\layers\\base", `C:\\uvms\\${id}`], memorySizeInMB: 2048 });
});

afterAll(async () => {
    project?.remove();
    await host?.stop();
});

describe("import", () => {
    it("pulumi import of a dynamic resource fails: there is no provider code to run yet", async () => {
        const result = await project.pulumi(["import", "pulumi-nodejs:dynamic/hcs:WcowUtilityVm", "build-uvm", id, "--yes"]);
        expect(result.code).not.toBe(0);
        expect(utilityVms(await project.exportState())).toEqual([]);
        process.stdout.write(`pulumi import fails with:\n${(result.stdout + result.stderr).trim().split("\n").slice(-6).join("\n")}\n`);
    });

    it("the import resource option adopts the running system without touching it", async () => {
        const runtimeId = (await host.sim.control.state()).systems.find((s) => s.id === id)!.runtimeId;
        await project.config({ importId: id });
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        const [vm] = utilityVms(await project.exportState());
        expect(vm?.id).toBe(id);
        expect(vm?.outputs).toMatchObject({ state: "Running", runtimeId, scratchCreated: false, memorySizeInMB: 2048 });
        expect((await host.sim.control.state()).systems.map((s) => [s.id, s.runtimeId])).toEqual([[id, runtimeId]]);
    });

    it("manages the adopted VM afterwards: a stable preview, then destroy (leaving the disk it did not make)", async () => {
        await project.pulumi(["config", "rm", "importId"]);
        const noChanges = await project.pulumi(["preview", "--expect-no-changes"]);
        expectSuccess(noChanges);
        const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expectSuccess(destroy);
        const state = await host.sim.control.state();
        expect(state.systems).toEqual([]);
    });
});
