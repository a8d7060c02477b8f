/**
 * Every invalid VM in one preview (issue 12, item 4), through the real Pulumi CLI. The engine stops
 * a preview at the first resource whose check fails, so on its own it would show one invalid VM of
 * three; the SDK reports the problems it can see under each VM as the program declares it. check
 * still decides: it refuses the first VM the engine asks about, and what it finds again is one line
 * pointing at the SDK's, not the same problems a second time.
 */
import fs from "node:fs";
import path from "node:path";
import { type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture), { destroy: false });

const layers = (name: string): string[] => [BASE_LAYER, `C:\\uvms\\${name}`];

/** The `Diagnostics:` section of a CLI run: each resource's name and its lines (`error: …`). */
function diagnosticsByResource(stdout: string): Map<string, string[]> {
    const section = stdout.split("\nDiagnostics:\n")[1]?.split(/\n(?:Resources|Outputs):\n/)[0] ?? "";
    const byResource = new Map<string, string[]>();
    let lines: string[] | undefined;
    for (const line of section.split("\n")) {
        const header = /^ {2}\S+ \((.+)\):$/.exec(line);
        if (header) byResource.set(header[1]!, (lines = []));
        else if (/^ {4}\S/.test(line)) lines?.push(line.trim());
    }
    return byResource;
}

/** Nothing on the host and nothing in the stack. */
async function expectNothingCreated(names: readonly string[]): Promise<void> {
    expect((await host.sim.control.state()).systems).toEqual([]);
    for (const name of names) expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", name))).toBe(false);
    expect(utilityVms(await project.exportState())).toEqual([]);
}

describe("a program with several invalid VMs", () => {
    const vms = [
        { name: "too-few-layers", args: { layerFolders: [BASE_LAYER] } },
        { name: "negative-limit", args: { layerFolders: layers("negative-limit"), processorLimit: -5 } },
        { name: "valid", args: { layerFolders: layers("valid") } },
        { name: "two-problems", args: { layerFolders: layers("two-problems"), owner: "", scsiControllerCount: 2 } },
        { name: "misspelt", args: { layerFolders: layers("misspelt"), procesorCount: 4 } },
    ];
    const problems: Record<string, RegExp[]> = {
        "too-few-layers": [/^error: layerFolders: at least 2 LayerFolders must be supplied \(layerFolders has 1 entry;/],
        "negative-limit": [/^error: processorLimit: must be an integer from 0 to 100000 .*, got -5;/],
        "two-problems": [/^error: owner: must not be empty; omit owner for the default/, /^error: scsiControllerCount: exactly 1 SCSI controller is required for WCOW/],
        misspelt: [/^error: procesorCount: unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"\?$/],
    };

    it("fails one preview that lists every invalid VM with each of its problems, once, and creates nothing", async () => {
        await project.config({ vms });
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        const diagnostics = diagnosticsByResource(preview.stdout);
        expect([...diagnostics.keys()].sort()).toEqual(Object.keys(problems).sort());

        let confirmations = 0;
        for (const [name, expected] of Object.entries(problems)) {
            const lines = diagnostics.get(name)!;
            for (const problem of expected) expect(lines.filter((line) => problem.test(line))).toHaveLength(1);
            // check's own verdict on the VM the engine asked it about: one line, not its problems again.
            const rest = lines.filter((line) => !expected.some((problem) => problem.test(line)));
            const count = expected.length === 1 ? "the problem" : `the ${expected.length} problems`;
            expect(rest).toEqual(rest.length === 0 ? [] : [`error: pulumi-nodejs:dynamic/hcs:WcowUtilityVm resource '${name}' has a problem: ${count} listed above, which the provider's check confirms`]);
            confirmations += rest.length;
        }
        expect(confirmations).toBeGreaterThanOrEqual(1);
        expect(preview.stdout).not.toMatch(/property (layerFolders|processorLimit|owner|scsiControllerCount|procesorCount) value/);
        await expectNothingCreated(vms.map((vm) => vm.name));
    });

    it("fails up in its preview, so the valid VM is not created either", async () => {
        await project.config({ vms });
        const up = await project.pulumi(["up", "--yes"]);
        expect(up.code).not.toBe(0);
        expect([...diagnosticsByResource(up.stdout).keys()].sort()).toEqual(Object.keys(problems).sort());
        await expectNothingCreated(vms.map((vm) => vm.name));
    });
});
