/**
 * The host agent under the real Pulumi engine: the `vms` test program with every VM on
 * `grpcs://127.0.0.1:<port>` (PULUMI_HCS_HOST), an agent (test/support/agent.ts) in front of a
 * simulated host, the client credentials in the CLI's environment. The lifecycle (up, a no-change
 * preview, an in-place update, refresh, destroy), the errors a user sees (a folder outside the
 * agent's roots, refused at preview from the roots GetAgentInfo reports; one under them only until a
 * link is followed, which only the agent's CreateVm sees: PERMISSION_DENIED; an agent that is down;
 * no credentials), a rotated client certificate, six creates in one `up`, and the agent killed with
 * SIGKILL:
 * - in steady state: the restarted agent removes the VMs whose guest connections it held
 *   (docs/agent.md), `preview --refresh --expect-no-changes` exits 7, `up --refresh` recreates them;
 * - during `up`, the agent down until the provider's retries are spent (~3.5 s): `up` fails with
 *   CreateVm UNAVAILABLE and records nothing for that VM; the restarted agent undoes the create;
 * - during `up`, the agent back at once: the provider's retry (same request ID) reaches the new
 *   agent, which undid the interrupted create and so makes the VM afresh: `up` succeeds, while the
 *   VMs it did not touch are gone from the host until `up --refresh`.
 * After each, `pulumi up --refresh` makes the host what the stack says (host = stack).
 */
import fs from "node:fs";
import path from "node:path";
import { type TestAgent, startTestAgent, removeTestAgentFolders } from "../support/agent";
import { diagnosticBlocks } from "../support/diagnostics-section";
import { expectHostMatchesStacks, hostStackDifferences } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject, type RunResult, type StackResource, type StackState, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, eventually, expectHostEmpty, simulatedConfiguration, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(300_000);

/** What `pulumi preview --expect-no-changes` exits with when the preview proposes changes (CLI 3.274.1). */
const CHANGES_PROPOSED_EXIT_CODE = 7;
/** A JavaScript stack frame, as the engine prints a provider's stderr. */
const STACK_FRAME = /^\s+at \S/m;

let host: TestHost;
let agent: TestAgent;
let project: PulumiProject;

/** `n` VMs of the vms program, each with its own scratch folder under C:\uvms. */
function vms(names: readonly string[], args: Record<string, unknown> = {}): { name: string; args: Record<string, unknown> }[] {
    return names.map((name) => ({ name, args: { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`], ...args } }));
}

/** The simulator's identity, as the provider records it in `hostId`. */
async function simulatorIdentity(): Promise<string> {
    return `simulator:${(await host.sim.control.state()).hostId}`;
}

const byId = (a: StackResource, b: StackResource): number => a.id!.localeCompare(b.id!);

/** What identifies each VM of a state: ID and runtime ID, in ID order. */
function vmIdentities(state: StackState): [string | undefined, unknown][] {
    return utilityVms(state).sort(byId).map((vm) => [vm.id, vm.outputs?.runtimeId]);
}

/** The restarted agent's ready line: what it found of its previous run. */
function readyLine(of: TestAgent): string {
    return /^pulumi-hcs agent: serving on port .*$/m.exec(of.output())?.[0] ?? "";
}

/** The stack and the host hold the same VMs as in `before`: a refused VM made nothing. */
async function expectNothingMadeSince(before: StackState): Promise<void> {
    const after = await project.exportState();
    expect(vmIdentities(after)).toEqual(vmIdentities(before));
    await expectHostMatchesStacks(host, [after]);
}

function everything(run: RunResult): string {
    return run.stdout + run.stderr;
}

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    agent = await startTestAgent({ host: host.hostName });
    project = await newTestProgram("vms", { PULUMI_HCS_HOST: agent.address, ...agent.clientEnv() });
});

afterAll(async () => {
    await project?.pulumi(["destroy", "--yes", "--skip-preview"]);
    project?.remove();
    await agent?.stop();
    await host?.stop();
    if (agent !== undefined) fs.rmSync(agent.dir, { recursive: true, force: true });
    removeTestAgentFolders();
});

describe("the lifecycle through an agent", () => {
    it("up creates the VMs on the agent's host, with the IDs the preview showed: guest connected (the agent holds it), hostId the simulator's", async () => {
        await project.config({ vms: vms(["vm-a", "vm-b"]) });
        // check predicts each new VM's ID; the agent must derive the same one (it hashes the client's host).
        const predicted = (await project.previewJson()).steps?.filter((step) => step.op === "create" && step.urn.includes("WcowUtilityVm::"))
            .map((step) => step.newState?.inputs?.computeSystemId).sort();
        expect(predicted).toHaveLength(2);
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        const recorded = utilityVms(state);
        expect(recorded.map((vm) => vm.id).sort()).toEqual(predicted);
        const hostId = await simulatorIdentity();
        expect(recorded.map((vm) => [vm.outputs?.state, vm.outputs?.guestConnection, vm.outputs?.host, vm.outputs?.hostId]))
            .toEqual([["Running", "connected", agent.address, hostId], ["Running", "connected", agent.address, hostId]]);
        await expectHostMatchesStacks(host, [state]);
        // The agent's audit log has each create, by the operator's certificate.
        const creates = agent.auditLines().filter((line) => line.method === "CreateVm");
        expect(creates.map((line) => [line.result, (line.peer as { identity: string }).identity])).toEqual([["ok", "operator-1"], ["ok", "operator-1"]]);
    });

    it("preview of the same program shows no changes", async () => {
        expectSuccess(await project.pulumi(["preview", "--expect-no-changes"]));
        const preview = await project.previewJson();
        expect(preview.code).toBe(0);
        expect(preview.changeSummary).toEqual({ same: 3 });
    });

    it("a processorLimit change updates the VMs in place (same runtime IDs), applied on the host", async () => {
        const before = utilityVms(await project.exportState()).sort(byId);
        await project.config({ vms: vms(["vm-a", "vm-b"], { processorLimit: 50000 }) });
        const preview = await project.previewJson();
        expect(preview.changeSummary).toEqual({ same: 1, update: 2 });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const after = utilityVms(await project.exportState()).sort(byId);
        expect(after.map((vm) => [vm.id, vm.outputs?.runtimeId, vm.outputs?.processorLimit, vm.outputs?.guestConnection]))
            .toEqual(before.map((vm) => [vm.id, vm.outputs?.runtimeId, 50000, "connected"]));
        for (const vm of after) expect((await simulatedConfiguration(host, vm.id!)).VirtualMachine.ComputeTopology.Processor.Limit).toBe(50000);
    });

    it("refresh changes nothing", async () => {
        expectSuccess(await project.pulumi(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]));
        await expectHostMatchesStacks(host, [await project.exportState()]);
    });

    it("a rotated client certificate (a new one for the same identity) changes nothing: credentials are not inputs", async () => {
        const rotated = agent.pki.client("operator-1", { name: "operator-1-rotated" });
        const before = agent.clientEnv();
        expect(rotated.cert).not.toBe(before.PULUMI_HCS_AGENT_CERT);
        const env = { PULUMI_HCS_AGENT_CERT: rotated.cert, PULUMI_HCS_AGENT_KEY: rotated.key };
        expectSuccess(await project.pulumi(["preview", "--expect-no-changes"], env));
        expectSuccess(await project.pulumi(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], env));
    });
});

describe("errors through an agent", () => {
    it("a scratch folder outside the agent's roots fails up at its preview, naming the field, the agent and its roots; nothing reaches CreateVm", async () => {
        const before = await project.exportState();
        await project.config({ vms: [...vms(["vm-a", "vm-b"], { processorLimit: 50000 }), { name: "outside", args: { layerFolders: [BASE_LAYER, "C:\\elsewhere\\outside"] } }] });
        try {
            const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
            expect(up.code).not.toBe(0);
            const lines = diagnosticBlocks(up.stdout).byName.get("outside")!;
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain("layerFolders[1]");
            expect(lines[0]).toContain(`"C:\\elsewhere\\outside" is refused by the host agent ${agent.address}: it is not under the agent's scratch roots (C:\\uvms)`);
            expect(everything(up)).not.toMatch(STACK_FRAME);
            await expectNothingMadeSince(before);
            expect(agent.auditLines().filter((line) => line.method === "CreateVm" && line.result !== "ok")).toEqual([]);
        } finally {
            await project.config({ vms: vms(["vm-a", "vm-b"], { processorLimit: 50000 }) });
        }
    });

    it("a scratch folder under the roots only as written (a link leads outside) passes preview; up fails naming the agent, CreateVm, PERMISSION_DENIED and the field", async () => {
        const before = await project.exportState();
        // C:\uvms\escape is a link to C:\elsewhere: only the agent, on its host, can see where it leads.
        const elsewhere = path.join(host.sim.root, "fs", "c", "elsewhere");
        const link = path.join(host.sim.root, "fs", "c", "uvms", "escape");
        fs.mkdirSync(elsewhere, { recursive: true });
        fs.symlinkSync(elsewhere, link, "dir");
        await project.config({ vms: [...vms(["vm-a", "vm-b"], { processorLimit: 50000 }), { name: "escape", args: { layerFolders: [BASE_LAYER, "C:\\uvms\\escape\\vm"] } }] });
        try {
            const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
            expect(up.code).not.toBe(0);
            const lines = diagnosticBlocks(up.stdout).byName.get("escape")!;
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(`host agent ${agent.address} CreateVm (PERMISSION_DENIED)`);
            expect(lines[0]).toContain('layerFolders[1] "C:\\uvms\\escape\\vm": it is under C:\\uvms only as written');
            expect(everything(up)).not.toMatch(STACK_FRAME);
            expect(fs.readdirSync(elsewhere)).toEqual([]);
            const refused = agent.auditLines().filter((line) => line.result === "refused");
            expect(refused.map((line) => [line.method, line.code])).toEqual([["CreateVm", "PERMISSION_DENIED"]]);
        } finally {
            fs.rmSync(link);
            fs.rmSync(elsewhere, { recursive: true, force: true });
            await project.config({ vms: vms(["vm-a", "vm-b"], { processorLimit: 50000 }) });
        }
        await expectNothingMadeSince(before);
    });

    it("without client credentials, preview fails in one line naming PULUMI_HCS_AGENT_CA and PULUMI_HCS_AGENT_CERT_PATH", async () => {
        const nowhere = path.join(agent.dir, "no-credentials-here");
        const preview = await project.pulumi(["preview"], { PULUMI_HCS_AGENT_CA: "", PULUMI_HCS_AGENT_CERT: "", PULUMI_HCS_AGENT_KEY: "", PULUMI_HCS_AGENT_CERT_PATH: nowhere });
        expect(preview.code).not.toBe(0);
        const blocks = diagnosticBlocks(preview.stdout);
        const lines = [...blocks.byName.values()].flat().filter((line) => line.includes("client credentials"));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("PULUMI_HCS_AGENT_CA");
        expect(lines[0]).toContain("PULUMI_HCS_AGENT_CERT_PATH");
        expect(lines[0]).toContain(nowhere);
        expect(everything(preview)).not.toMatch(STACK_FRAME);
    });
});

describe("the agent killed with SIGKILL", () => {
    it("in steady state: preview while it is down names it; after its restart --refresh sees the VMs gone (exit 7), up --refresh recreates them", async () => {
        const before = utilityVms(await project.exportState());
        await agent.kill();
        const down = await project.pulumi(["preview"]);
        expect(down.code).not.toBe(0);
        const lines = [...diagnosticBlocks(down.stdout).byName.values()].flat().filter((line) => line.includes(agent.address));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("UNAVAILABLE");
        expect(everything(down)).not.toMatch(STACK_FRAME);

        agent = await agent.restart();
        // The restarted agent removed the VMs whose guest connection its previous run held (docs/agent.md).
        expect(readyLine(agent)).toContain("2 VMs without their guest removed");
        const check = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(check.code).toBe(CHANGES_PROPOSED_EXIT_CODE);

        expectSuccess(await project.pulumi(["up", "--refresh", "--yes"]));
        const state = await project.exportState();
        const after = utilityVms(state);
        expect(after.map((vm) => [vm.outputs?.state, vm.outputs?.guestConnection])).toEqual([["Running", "connected"], ["Running", "connected"]]);
        expect(after.map((vm) => vm.outputs?.runtimeId)).not.toContain(before[0]!.outputs?.runtimeId);
        await expectHostMatchesStacks(host, [state]);
        expectSuccess(await project.pulumi(["preview", "--refresh", "--expect-no-changes"]));
    });

    it("during up, back only after the provider gave up: up fails naming CreateVm UNAVAILABLE; the restarted agent undid the create; up --refresh converges", async () => {
        await project.config({ vms: vms(["vm-a", "vm-b", "in-flight"], { processorLimit: 50000 }) });
        // The new VM's guest dials 20 s after boot: its create is in flight on the agent until then.
        await host.sim.control.guestFault("dial-late", { delayMs: 20_000 });
        const run = project.start(["up", "--yes", "--skip-preview"]);
        try {
            await eventually(async () => expect((await host.sim.control.state()).systems).toHaveLength(3), 60_000);
            await agent.kill();
            const killedAt = Date.now();
            // The agent stays down until the provider's retries of the call (0.5, 1 and 2 s apart) are spent.
            const up = await run.done;
            const upSeconds = (Date.now() - killedAt) / 1000;
            await host.sim.control.clearFaults();
            agent = await agent.restart();
            console.info(`observed: up exited ${up.code} ${upSeconds.toFixed(1)} s after the kill; ${readyLine(agent)}`);
            expect(up.code).not.toBe(0);
            const lines = diagnosticBlocks(up.stdout).byName.get("in-flight")!;
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(`host agent ${agent.address} CreateVm (UNAVAILABLE)`);
            expect(everything(up)).not.toMatch(STACK_FRAME);
            // The failed create left nothing in the state; on the host the restarted agent undid it, and
            // removed the two VMs whose guests its previous run held.
            expect(utilityVms(await project.exportState()).map((vm) => vm.urn.split("::").pop()).sort()).toEqual(["vm-a", "vm-b"]);
            expect(readyLine(agent)).toContain("1 interrupted creates undone, 2 VMs without their guest removed");
            expect((await host.sim.control.state()).systems).toEqual([]);
        } finally {
            run.child.kill("SIGKILL");
            await run.done;
            await host.sim.control.clearFaults();
        }
        expectSuccess(await project.pulumi(["up", "--refresh", "--yes"]));
        const state = await project.exportState();
        expect(utilityVms(state).map((vm) => [vm.outputs?.state, vm.outputs?.guestConnection])).toEqual(Array(3).fill(["Running", "connected"]));
        await expectHostMatchesStacks(host, [state]);
        expectSuccess(await project.pulumi(["preview", "--refresh", "--expect-no-changes"]));
    });

    it("during up, restarted at once: the provider's retry (same request ID) makes the VM afresh and up succeeds; the VMs held before need up --refresh", async () => {
        await project.config({ vms: vms(["vm-a", "vm-b", "in-flight", "retried"], { processorLimit: 50000 }) });
        await host.sim.control.guestFault("dial-late", { delayMs: 20_000 });
        const run = project.start(["up", "--yes", "--skip-preview"]);
        let up: RunResult;
        try {
            await eventually(async () => expect((await host.sim.control.state()).systems).toHaveLength(4), 60_000);
            await agent.kill();
            const killedAt = Date.now();
            await host.sim.control.clearFaults();
            agent = await agent.restart();
            // The premise: back before the provider's last retry of a call that could not reach it (3.5 s).
            expect(Date.now() - killedAt).toBeLessThan(3000);
            up = await run.done;
            console.info(`observed: up exited ${up.code} ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; ${readyLine(agent)}`);
        } finally {
            run.child.kill("SIGKILL");
            await run.done;
            await host.sim.control.clearFaults();
        }
        expectSuccess(up);
        expect(readyLine(agent)).toContain("1 interrupted creates undone, 3 VMs without their guest removed");
        const state = await project.exportState();
        const retried = utilityVms(state).find((vm) => vm.urn.endsWith("::retried"))!;
        expect(retried.outputs).toMatchObject({ state: "Running", guestConnection: "connected" });
        expect((await host.sim.control.state()).systems.map((s) => [s.id, s.runtimeId])).toEqual([[retried.id, retried.outputs?.runtimeId]]);
        // The plain up trusted the state for the VMs it did not touch: the host lacks them until a refresh.
        expect((await hostStackDifferences(host, [state])).sort()).toEqual(utilityVms(state).filter((vm) => vm !== retried)
            .map((vm) => `missing: the stack records ${vm.id}, the host has no such system`).sort());

        expectSuccess(await project.pulumi(["up", "--refresh", "--yes"]));
        const converged = await project.exportState();
        expect(utilityVms(converged).map((vm) => [vm.outputs?.state, vm.outputs?.guestConnection])).toEqual(Array(4).fill(["Running", "connected"]));
        await expectHostMatchesStacks(host, [converged]);
    });
});

describe("many VMs at once", () => {
    it("6 VMs in one up are 6 VMs with their guests connected", async () => {
        const names = ["p1", "p2", "p3", "p4", "p5", "p6"];
        await project.config({ vms: vms(names) });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        const recorded = utilityVms(state);
        expect(recorded.map((vm) => vm.urn.split("::").pop()).sort()).toEqual(names);
        expect(recorded.map((vm) => [vm.outputs?.state, vm.outputs?.guestConnection])).toEqual(Array(6).fill(["Running", "connected"]));
        await expectHostMatchesStacks(host, [state]);
    });

    it("destroy leaves the host with no system and no file under C:\\uvms", async () => {
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
        expect(utilityVms(await project.exportState())).toEqual([]);
        expect(fs.readdirSync(path.join(agent.stateDir, "vms"))).toEqual([]);
    });
});
