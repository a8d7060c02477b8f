/**
 * A resource's `timeouts` bound its whole operation (issue 10, item 2), measured through the CLI with
 * the provider's default per-call timeouts (4 minutes): with `timeouts: {create: "10s"}`, a host that
 * never answers one call of the create ends `up` well within a minute, leaves nothing behind, and
 * the next `up` after the host recovers converges.
 */
import { hostStackDifferences } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";
import { endTrial, vmCount } from "./support";

jest.setTimeout(240_000);

const HUNG = ["HcsCreateComputeSystem", "HcsOpenComputeSystem", "HcsGrantVmAccess", "HcsStartComputeSystem"];
let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

describe.each(HUNG)("%s never answers during a create with timeouts {create: 10s}", (fn) => {
    let project: PulumiProject;

    afterEach(() => endTrial(host, project));

    it("up ends within 60 s leaving nothing, and up converges once the host answers again", async () => {
        project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName });
        await project.config({ vms: [{ name: "vm", args: { layerFolders: [BASE_LAYER, `C:\\uvms\\hang-${fn}`], timeouts: { create: "10s" } } }] });
        await host.sim.control.hang(fn);
        const started = Date.now();
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        const seconds = (Date.now() - started) / 1000;
        expect(up.code).not.toBe(0);
        expect(up.stdout).toContain("HCS_E_OPERATION_TIMEOUT");
        expect(seconds).toBeLessThan(60);
        await host.sim.control.clearFaults();

        expectSuccess(await project.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]));
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expect(await vmCount(project)).toBe(1);
        expect(await hostStackDifferences(host, [await project.exportState()])).toEqual([]);
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
