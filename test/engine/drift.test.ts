/**
 * Drift that refresh must report (issue 10, item 4), through the real CLI: a VM left in Created by
 * a host that died mid-start, and a VM whose scratch disk vanished. Neither may pass
 * `preview --expect-no-changes` after a refresh; the next `up` repairs both.
 */
import fs from "node:fs";
import path from "node:path";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture));

beforeAll(async () => {
    await project.config({ vms: [{ name: "vm", args: { layerFolders: [BASE_LAYER, "C:\\uvms\\drift"] } }] });
});

describe("refresh reports what really happened", () => {
    it("a host that died during HcsStartComputeSystem: the disk stays, refresh shows the start still to do, up starts it", async () => {
        await host.sim.control.crash("HcsStartComputeSystem");
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        await host.sim.restart();
        const [left] = utilityVms(await project.exportState());
        expect(left?.outputs?.__provider).toBeDefined(); // refresh and destroy can still run
        expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", "drift", "sandbox.vhdx"))).toBe(true);

        expectSuccess(await project.pulumi(["refresh", "--yes", "--skip-preview"]));
        const preview = await project.pulumi(["preview", "--expect-no-changes"]);
        expect(preview.code).not.toBe(0);
        expect(preview.stdout).toMatch(/update \[diff: [^\]]*~start/);

        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        expect(utilityVms(state)[0]!.outputs!.state).toBe("Running");
        await expectHostMatchesStacks(host, [state]);
        expectSuccess(await project.pulumi(["preview", "--expect-no-changes"]));
    });

    it("a VM whose sandbox.vhdx vanished: refresh drops it, up replaces it with a fresh disk", async () => {
        const [before] = utilityVms(await project.exportState());
        fs.rmSync(path.join(host.sim.root, "fs", "c", "uvms", "drift", "sandbox.vhdx"));
        expectSuccess(await project.pulumi(["refresh", "--yes", "--skip-preview"]));
        expect(utilityVms(await project.exportState())).toEqual([]);
        expect((await project.pulumi(["preview", "--expect-no-changes"])).code).not.toBe(0);

        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        const [after] = utilityVms(state);
        expect(after!.outputs!.runtimeId).not.toBe(before!.outputs!.runtimeId);
        await expectHostMatchesStacks(host, [state]);
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
