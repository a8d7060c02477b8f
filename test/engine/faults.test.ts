/**
 * `pulumi up` with a fault injected at each HCS step of create: the update fails cleanly, nothing
 * is left on the host or in the state, and the next `up` without the fault succeeds.
 */
import { expectSuccess, newPulumiProject, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(180_000);

let host: TestHost;
let project: PulumiProject;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    project = await newPulumiProject("basic", { PULUMI_HCS_HOST: host.hostName });
    await project.config({ layerFolders: ["C:\\layers\\base", "C:\\uvms\\faulty"] });
});

afterAll(async () => {
    project?.remove();
    await host?.stop();
});

async function expectNothingLeft(): Promise<void> {
    await expectHostEmpty(host);
    expect(utilityVms(await project.exportState())).toEqual([]);
}

describe("pulumi up with a fault at each create step", () => {
    it.each([
        ["HcsGrantVmAccess", "failed to grant vm access to scratch"],
        ["HcsCreateComputeSystem", "error while creating the compute system"],
        ["HcsGetComputeSystemProperties", "failed to read the compute system's RuntimeId"],
        ["HcsStartComputeSystem", "failed to start the utility VM"],
    ])("%s fails: up reports '%s' with the HRESULT, and leaves nothing behind", async (fn, step) => {
        await host.sim.control.failNext(fn, 0x80370102);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        await host.sim.control.clearFaults();
        expect(up.code).not.toBe(0);
        const output = up.stdout + up.stderr;
        expect(output).toContain(step);
        expect(output).toContain("HCS_E_HYPERV_NOT_INSTALLED (0x80370102)");
        await expectNothingLeft();
    });

    it("succeeds on the next up once the fault is gone, and destroys cleanly", async () => {
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expectSuccess(up);
        expect((await host.sim.control.state()).systems.map((s) => s.state)).toEqual(["Running"]);
        const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expectSuccess(destroy);
        await expectNothingLeft();
    });
});
