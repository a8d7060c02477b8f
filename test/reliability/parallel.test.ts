/**
 * 100 VMs at `--parallel 100` through the real CLI, all under one parent folder: create, replace
 * every one (deletes and creates race for the shared parent folder), destroy. Host = stack after
 * each step.
 */
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";
import { trials } from "./support";

jest.setTimeout(900_000);

const COUNT = trials(100, 100);
let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture));

function pool(processorCount: number): object[] {
    return Array.from({ length: COUNT }, (_, i) => ({
        name: `vm-${i}`,
        args: { layerFolders: [BASE_LAYER, `C:\\uvms\\pool\\vm-${i}`], processorCount },
    }));
}

describe(`${COUNT} VMs at --parallel ${COUNT}`, () => {
    it("creates every VM once", async () => {
        await project.config({ vms: pool(2) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview", "--parallel", String(COUNT)]));
        const state = await project.exportState();
        expect(utilityVms(state)).toHaveLength(COUNT);
        await expectHostMatchesStacks(host, [state]);
    });

    it("replaces every VM while siblings delete and create under the shared parent", async () => {
        await project.config({ vms: pool(4) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview", "--parallel", String(COUNT)]));
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.processorCount)).toEqual(Array(COUNT).fill(4));
        await expectHostMatchesStacks(host, [state]);
    });

    it("destroys every VM and every file", async () => {
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview", "--parallel", String(COUNT)]));
        await expectHostEmpty(host);
    });
});
