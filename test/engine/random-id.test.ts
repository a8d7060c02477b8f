/**
 * examples/random-id needs the `random` resource plugin, which cannot be built from the Go module
 * proxy (docs/pulumi-toolchain.md) and must not be downloaded: preview fails naming the missing
 * plugin, and nothing is created. The program itself is covered by its mocks test.
 */
import { newPulumiProject, type PulumiProject } from "../support/pulumi-project";
import { startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(60_000);

let host: TestHost;
let project: PulumiProject;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    project = await newPulumiProject("random-id", { PULUMI_HCS_HOST: host.hostName });
});

afterAll(async () => {
    project?.remove();
    await host?.stop();
});

describe("examples/random-id offline", () => {
    it("fails preview naming the random plugin it cannot download, and creates nothing", async () => {
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(/no resource plugin 'pulumi-resource-random' found|plugin random .*not installed/);
        expect((await host.sim.control.state()).systems).toEqual([]);
    });
});
