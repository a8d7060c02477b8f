/**
 * Diagnostics a Pulumi user can read (issue 12, item 5), through the real Pulumi CLI: a provider
 * warning is a Pulumi diagnostic under its resource, once, in plain words, with no JSON unless
 * PULUMI_HCS_LOG_LEVEL asks for the log; an error is said once, under its resource, with no
 * JavaScript stack frames for failures that are not bugs (a host that cannot be reached, bad
 * input, HCS refusing a call), and an HCS failure names the operation, the compute-system ID and
 * the HRESULT (name and hex) once each.
 */
import { diagnosticBlocks, occurrences } from "../support/diagnostics-section";
import { expectSuccess, type PulumiProject, type RunResult } from "../support/pulumi-project";
import { BASE_LAYER, startTestHost, type TestHost } from "../support/simulated-host";
import { itDirectOnly } from "../support/agent-mode";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

const STACK = "hcs-test-vms-test";
/** hcsshim's message for a processor count above the host's (model/processors.ts), kept verbatim. */
const CLAMPED = "Changing user requested CPUCount to current number of processors";

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture), { destroy: false });

const layers = (name: string): string[] => [BASE_LAYER, `C:\\uvms\\${name}`];

/** A line of pino's JSON log (`{"level":40,...}`), anywhere in the output. */
const JSON_LOG_LINE = /\{"level":\d+/;
/** A JavaScript stack frame, as the engine prints a provider's stderr. */
const STACK_FRAME = /^\s+at \S/m;

function everything(run: RunResult): string {
    return run.stdout + run.stderr;
}

describe("provider warnings", () => {
    it.each([
        ["PULUMI_HCS_LOG_LEVEL unset (the default)", undefined],
        ["PULUMI_HCS_LOG_LEVEL=warn", "warn"],
    ])("a clamped processorCount warns once under the resource, in plain words, with no JSON (%s)", async (_, level) => {
        await project.config({ vms: [{ name: "clamped", args: { layerFolders: layers("clamped"), processorCount: 16 } }] });
        const preview = await project.pulumi(["preview"], { PULUMI_HCS_LOG_LEVEL: level });
        expectSuccess(preview);

        const blocks = diagnosticBlocks(preview.stdout);
        expect(blocks.names).toEqual(["clamped"]);
        const lines = blocks.byName.get("clamped")!;
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^warning: processorCount: ${CLAMPED} \\(requested: 16, assigned: 8\\)$`));
        expect(everything(preview)).not.toMatch(JSON_LOG_LINE);
    });

    itDirectOnly("through an agent, create's debug log is the agent's (it runs the lifecycle), not the provider's under the stack")("PULUMI_HCS_LOG_LEVEL=debug adds the JSON log under the stack, and the warning stays one diagnostic under the resource", async () => {
        await project.config({ vms: [{ name: "clamped", args: { layerFolders: layers("clamped"), processorCount: 16 } }] });
        const up = await project.pulumi(["up", "--yes", "--skip-preview"], { PULUMI_HCS_LOG_LEVEL: "debug" });
        expectSuccess(up);

        const blocks = diagnosticBlocks(up.stdout);
        const vmLines = blocks.byName.get("clamped")!;
        expect(vmLines.filter((line) => line.includes(CLAMPED))).toHaveLength(1);
        expect(vmLines.join("\n")).not.toMatch(JSON_LOG_LINE);
        // The structured log the variable asked for: create's debug lines, as JSON, under the stack.
        const stackLog = blocks.byName.get(STACK)!.join("\n");
        expect(stackLog).toContain('"msg":"creating compute system"');
        expect(stackLog).not.toContain(CLAMPED);

        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
    });
});

describe("errors said once", () => {
    it("a host that cannot be reached fails preview with one line naming the host and the HRESULT, without stack frames", async () => {
        const address = `sim:${host.sim.root}/nobody-listens-here.sock`;
        await project.config({ vms: [{ name: "far", args: { layerFolders: layers("far"), host: address } }] });
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);

        const lines = diagnosticBlocks(preview.stdout).byName.get("far")!;
        expect(lines).toHaveLength(1);
        const [line] = lines;
        expect(line).toContain(`cannot reach host '${address}'`);
        expect(occurrences(line!, "HcsGetServiceProperties failed: HCS_E_SERVICE_NOT_AVAILABLE (0x80370114)")).toBe(1);
        expect(occurrences(line!, "cannot connect to the HCS simulator service")).toBe(1);
        expect(line).not.toContain("Event Detail");
        expect(everything(preview)).not.toMatch(STACK_FRAME);
    });

    it("bad input fails preview saying each problem once, without stack frames", async () => {
        await project.config({ vms: [{ name: "bad", args: { layerFolders: layers("bad"), memorySizeInMB: "lots" } }] });
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);

        const blocks = diagnosticBlocks(preview.stdout);
        expect(occurrences(blocks.byName.get("bad")!.join("\n"), 'got the string "lots"')).toBe(1);
        expect(blocks.byName.get(STACK)?.join("\n") ?? "").not.toContain("lots");
        expect(everything(preview)).not.toMatch(STACK_FRAME);
        expect(everything(preview)).not.toMatch(JSON_LOG_LINE);
    });

    it("an HCS failure names the operation, the compute-system ID and the HRESULT once each", async () => {
        await project.config({ vms: [{ name: "faulty", args: { layerFolders: layers("faulty") } }] });
        await host.sim.control.failNext("HcsStartComputeSystem", 0x80370102);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        await host.sim.control.clearFaults();
        expect(up.code).not.toBe(0);

        const lines = diagnosticBlocks(up.stdout).byName.get("faulty")!;
        expect(lines).toHaveLength(1);
        const [line] = lines;
        const id = /create utility VM '([0-9a-f-]{36})'/.exec(line!)?.[1];
        expect(id).toBeDefined();
        expect(occurrences(line!, id!)).toBe(1);
        expect(occurrences(line!, "HcsStartComputeSystem failed")).toBe(1);
        expect(occurrences(line!, "HCS_E_HYPERV_NOT_INSTALLED (0x80370102)")).toBe(1);
        expect(occurrences(line!, "0x80370102")).toBe(1);
        expect(line).not.toContain("Event Detail");
        expect(everything(up)).not.toMatch(STACK_FRAME);
    });

    // Last: the VM it leaves in the stack cannot be deleted (its host is gone).
    itDirectOnly("through an agent the gone host is the agent: UNAVAILABLE, not the simulator's HRESULT (test/engine/agent.test.ts has an agent that is down)")("refresh and destroy of a VM whose host is gone say why once, under the VM: no copy under the stack, no stack frames", async () => {
        const gone = await startTestHost({ logicalProcessors: 8 });
        await project.config({ vms: [{ name: "stranded", args: { layerFolders: layers("stranded"), host: gone.hostName } }] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        await gone.stop();

        for (const [command, action] of [["refresh", "Cannot read utility VM"], ["destroy", "Cannot delete utility VM"]] as const) {
            const run = await project.pulumi([command, "--yes", "--skip-preview"]);
            expect(run.code).not.toBe(0);
            const blocks = diagnosticBlocks(run.stdout);
            const lines = blocks.byName.get("stranded")!;
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(action);
            expect(occurrences(lines[0]!, "HcsGetServiceProperties failed: HCS_E_SERVICE_NOT_AVAILABLE (0x80370114)")).toBe(1);
            expect(occurrences(lines[0]!, "cannot connect to the HCS simulator service")).toBe(1);
            expect(lines[0]).not.toContain("Event Detail");
            // The stack says only that the run failed; the host's echo of the error is gone.
            expect(blocks.byName.get(STACK)).toEqual(["error: update failed"]);
            expect(everything(run)).not.toMatch(STACK_FRAME);
        }
    });
});
