/**
 * Adoption (the import resource option) through the real CLI tells the truth (issue 11, item 4):
 * an ID that does not exist fails and creates nothing; another stack's VM is taken over with a
 * warning (the old stack's destroy then only forgets it); a VM whose
 * memory and owner differ from the program is recorded as it is, so the next preview shows the diff.
 */
import { viaAgent } from "../support/agent-mode";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(240_000);

let host: TestHost;
const projects: PulumiProject[] = [];

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    for (const project of projects) {
        await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        project.remove();
    }
    await host?.stop();
});

async function program(vms: object[]): Promise<PulumiProject> {
    const project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName });
    projects.push(project);
    await project.config({ vms });
    return project;
}

const LAYERS = [BASE_LAYER, "C:\\uvms\\adoptee"];

describe("import adopts only what exists, and records it as it is", () => {
    it("fails for an ID that does not exist, and creates nothing", async () => {
        const project = await program([{ name: "ghost", args: { layerFolders: LAYERS }, opts: { import: "no-such-vm" } }]);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        expect(up.stdout + up.stderr).toContain("there is no compute system 'no-such-vm' to adopt");
        expect((await host.sim.control.state()).systems).toEqual([]);
        expect(utilityVms(await project.exportState())).toEqual([]);
    });

    it("takes over another stack's VM loudly, records its real memory and owner (the preview shows the diff), and the old stack's destroy only forgets it", async () => {
        const owner = await program([{ name: "original", args: { layerFolders: LAYERS, memorySizeInMB: 2048, owner: "team-a" } }]);
        expectSuccess(await owner.pulumi(["up", "--yes", "--skip-preview"]));
        const [original] = utilityVms(await owner.exportState());

        const adopter = await program([{ name: "adopted", args: { layerFolders: LAYERS, memorySizeInMB: 1024 }, opts: { import: original!.id } }]);
        const up = await adopter.pulumi(["up", "--yes", "--skip-preview"], { PULUMI_HCS_LOG_LEVEL: "warn" }); // the tests keep logs to errors
        expectSuccess(up);
        // Through an agent the lifecycle runs there, and its warning stays in the agent's log: the API returns no warnings.
        if (!viaAgent()) expect(up.stdout + up.stderr).toContain(`was managed by Pulumi resource ${original!.urn}; this resource now owns it`);
        const [adopted] = utilityVms(await adopter.exportState());
        expect(adopted!.id).toBe(original!.id);
        expect(adopted!.outputs).toMatchObject({ memorySizeInMB: 2048, owner: "team-a", runtimeId: original!.outputs!.runtimeId });

        const preview = await adopter.previewJson();
        const step = preview.steps?.find((s) => s.urn.endsWith("::adopted"));
        expect(step?.op).toBe("replace"); // the owner differs: a replacement
        expect(step?.replaceReasons).toEqual(["owner"]);

        // The old stack lets go: its destroy forgets the VM, which keeps running for its new owner.
        expectSuccess(await owner.pulumi(["destroy", "--yes", "--skip-preview"]));
        expect((await host.sim.control.state()).systems.map((s) => [s.id, s.state])).toEqual([[original!.id, "Running"]]);
        await expectHostMatchesStacks(host, [await adopter.exportState(), await owner.exportState()]);

        expectSuccess(await adopter.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
