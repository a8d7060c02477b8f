/**
 * Preview tells the truth (issue 12, items 2 and 3), through the real CLI: the detailed diff names
 * the input behind each update and replacement, `replaceOnChanges` is honoured, an in-place update
 * keeps the compute-system ID known (so it does not ripple into resources that use it), a CPU-limit
 * change the host's build cannot make in place previews as the replacement `up` then makes, and
 * `memorySizeInMB: 0` is refused at preview instead of at create.
 */
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(240_000);

interface JsonStep {
    readonly op: string;
    readonly urn: string;
    readonly detailedDiff?: Record<string, { kind: string; inputDiff: boolean }> | null;
    readonly diffReasons?: string[];
    readonly replaceReasons?: string[];
    readonly newState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
}

/** `pulumi preview --json`: the steps of the VMs by name, and the exit code. */
async function previewSteps(project: PulumiProject): Promise<{ code: number; steps: Record<string, JsonStep>; output: string }> {
    const result = await project.pulumi(["preview", "--json", "--show-sames"]);
    const steps: Record<string, JsonStep> = {};
    try {
        for (const step of (JSON.parse(result.stdout) as { steps?: JsonStep[] }).steps ?? []) {
            if (step.urn.includes("WcowUtilityVm::")) steps[step.urn.split("::").pop()!] = step;
        }
    } catch {
        // Not JSON (a failure before the engine ran): the output says why.
    }
    return { code: result.code, steps, output: result.stdout + result.stderr };
}

const folder = (name: string) => `C:\\uvms\\truth-${name}`;

describe("preview tells the truth", () => {
    let host: TestHost;
    let project: PulumiProject;
    useVmsProgram((fixture) => ({ host, project } = fixture));

    it("an in-place update names its input, and keeps the ID known to a VM that uses it", async () => {
        // b's owner is a's compute-system ID: were that unknown in a preview, b would show a replacement.
        const vms = (limit: number) => [
            { name: "a", args: { layerFolders: [BASE_LAYER, folder("a")], processorLimit: limit } },
            { name: "b", args: { layerFolders: [BASE_LAYER, folder("b")], owner: { $output: "a.computeSystemId" } } },
        ];
        await project.config({ vms: vms(0) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [a, b] = utilityVms(await project.exportState());
        expect(b!.outputs!.owner).toBe(a!.outputs!.computeSystemId);

        await project.config({ vms: vms(50000) });
        const preview = await previewSteps(project);
        expect(preview.code).toBe(0);
        expect(preview.steps.a).toMatchObject({ op: "update", detailedDiff: { processorLimit: { kind: "update", inputDiff: false } }, diffReasons: ["processorLimit"] });
        expect(preview.steps.b?.op).toBe("same");

        const text = await project.pulumi(["preview", "--diff"]);
        expect(text.stdout).toMatch(/~ processorLimit\s*: 0 => 50000/);
        expect(text.stdout).not.toMatch(/computeSystemId[^\n]*unknown/);

        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expectSuccess(await project.pulumi(["preview", "--expect-no-changes"]));
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.computeSystemId)).toEqual([a!.outputs!.computeSystemId, b!.outputs!.computeSystemId]);
        await expectHostMatchesStacks(host, [state]);
    });

    it("a replacement names the input that forces it, and shows the new VM's ID as create then gives it", async () => {
        await project.config({ vms: [{ name: "a", args: { layerFolders: [BASE_LAYER, folder("a")], processorCount: 1 } }] });
        const preview = await previewSteps(project);
        expect(preview.steps.a).toMatchObject({ op: "replace", replaceReasons: ["processorCount"], detailedDiff: { processorCount: { kind: "update-replace" } } });
        // A preview shows a dynamic resource's checked inputs as its outputs; check fills in the ID.
        const predicted = preview.steps.a?.newState?.inputs?.computeSystemId;
        expect(typeof predicted).toBe("string");

        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => vm.outputs!.computeSystemId)).toEqual([predicted]);
        await expectHostMatchesStacks(host, [state]);
    });

    it("replaceOnChanges turns an in-place change into a replacement, in preview and in up", async () => {
        const vm = (limit: number) => [{
            name: "a",
            args: { layerFolders: [BASE_LAYER, folder("a")], processorCount: 1, processorLimit: limit },
            opts: { replaceOnChanges: ["processorLimit"] },
        }];
        await project.config({ vms: vm(0) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [before] = utilityVms(await project.exportState());

        await project.config({ vms: vm(30000) });
        const preview = await previewSteps(project);
        expect(preview.steps.a).toMatchObject({ op: "replace", replaceReasons: ["processorLimit"], detailedDiff: { processorLimit: { kind: "update-replace" } } });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        const [after] = utilityVms(state);
        expect(after!.outputs!.runtimeId).not.toBe(before!.outputs!.runtimeId);
        expect(after!.outputs!.processorLimit).toBe(30000);
        await expectHostMatchesStacks(host, [state]);
    });

    it("memorySizeInMB: 0 is refused at preview, naming the input and the fix, and nothing is created", async () => {
        await project.config({ vms: [{ name: "zero", args: { layerFolders: [BASE_LAYER, folder("zero")], memorySizeInMB: 0 } }] });
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(/memorySizeInMB[^\n]*must be an integer from 1 to 251658240/);
        expect(preview.stdout + preview.stderr).toContain("omit memorySizeInMB for the default, 1024");
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        // The earlier VM "a" is gone from the program but the failed up removed nothing: it still matches.
        await expectHostMatchesStacks(host, [await project.exportState()]);
        await project.config({ vms: [] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});

describe("a CPU-limit change on a host below build 19042", () => {
    let host: TestHost;
    let project: PulumiProject;
    useVmsProgram((fixture) => ({ host, project } = fixture), { host: { build: 17763 } });

    it("previews as the replacement up makes (HCS there cannot change a running VM's limits)", async () => {
        const vm = (limit: number) => [{ name: "old", args: { layerFolders: [BASE_LAYER, folder("old")], processorLimit: limit } }];
        await project.config({ vms: vm(0) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [before] = utilityVms(await project.exportState());

        await project.config({ vms: vm(40000) });
        const preview = await previewSteps(project);
        expect(preview.steps.old).toMatchObject({ op: "replace", replaceReasons: ["processorLimit"] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        const [after] = utilityVms(state);
        expect(after!.outputs!.processorLimit).toBe(40000);
        expect(after!.outputs!.runtimeId).not.toBe(before!.outputs!.runtimeId);
        await expectHostMatchesStacks(host, [state]);
    });
});
