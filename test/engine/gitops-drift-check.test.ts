/**
 * The drift check a GitOps pipeline runs (issue 12, item 6; docs/operations.md, "Drift check for
 * GitOps"), through the real CLI. `pulumi preview --expect-no-changes` compares the program with
 * the state only, so a VM killed behind Pulumi's back passes it; with `--refresh` the preview reads
 * every VM first, sees the dead one, and fails with exit code 7. `pulumi up --refresh` repairs it;
 * a plain `pulumi up`, which trusts the state as well, does not.
 */
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

/** What `pulumi preview --expect-no-changes` exits with when the preview proposes changes (CLI 3.274.1). */
const CHANGES_PROPOSED_EXIT_CODE = 7;

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture));

beforeAll(async () => {
    await project.config({ vms: [{ name: "vm", args: { layerFolders: [BASE_LAYER, "C:\\uvms\\gitops"] } }] });
});

describe("a drift check for GitOps", () => {
    it("misses a killed VM without --refresh, catches it with --refresh (exit 7), and only up --refresh repairs it", async () => {
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [before] = utilityVms(await project.exportState());
        expectSuccess(await project.pulumi(["preview", "--refresh", "--expect-no-changes"]));

        await host.sim.control.kill(before!.id!);
        expect((await host.sim.control.state()).systems.map((s) => s.state)).not.toContain("Running");

        // The limitation: without --refresh the preview trusts the state, which still says Running.
        const stale = await project.pulumi(["preview", "--expect-no-changes"]);
        expect(stale.code).toBe(0);
        expect(stale.stdout).not.toMatch(/WcowUtilityVm vm (create|update|replace|delete)/);

        const check = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(check.code).toBe(CHANGES_PROPOSED_EXIT_CODE);
        expect(check.stdout).toMatch(/\+ {2}pulumi-nodejs:dynamic\/hcs:WcowUtilityVm vm create/);
        expect(check.stderr).toContain("no changes were expected for preview but changes were proposed");
        // A preview writes no state: the drift is still there for the next check to see.
        expect((await project.pulumi(["preview", "--refresh", "--expect-no-changes"])).code).toBe(CHANGES_PROPOSED_EXIT_CODE);

        // A plain up trusts the state too: it changes nothing, and the VM stays dead.
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expect(utilityVms(await project.exportState())[0]!.outputs!.runtimeId).toBe(before!.outputs!.runtimeId);
        expect((await host.sim.control.state()).systems.map((s) => s.state)).not.toContain("Running");

        expectSuccess(await project.pulumi(["up", "--refresh", "--yes"]));
        const state = await project.exportState();
        const [after] = utilityVms(state);
        expect(after!.outputs!.state).toBe("Running");
        expect(after!.outputs!.runtimeId).not.toBe(before!.outputs!.runtimeId);
        await expectHostMatchesStacks(host, [state]);
        expectSuccess(await project.pulumi(["preview", "--refresh", "--expect-no-changes"]));

        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
