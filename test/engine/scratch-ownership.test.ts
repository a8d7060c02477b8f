/**
 * Scratch ownership through the real Pulumi CLI (issue 11): a scratch folder belongs to exactly one
 * VM, whatever races for it (resources of one `up`, two stacks, case variants of one path), and a
 * delete removes only what the folder's owner marker says is its own.
 */
import fs from "node:fs";
import path from "node:path";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(240_000);

let host: TestHost;
const projects: PulumiProject[] = [];

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterEach(async () => {
    // A failed test must not leave VMs that the next one trips over: destroy its stacks, then
    // remove whatever is still on the host.
    for (const project of projects.splice(0)) {
        await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        project.remove();
    }
    for (const { id } of (await host.sim.control.state()).systems) {
        const system = await host.client.openComputeSystem(id);
        await system.terminate().catch(() => undefined);
        await system.close();
    }
    fs.rmSync(nativeOf("C:\\uvms"), { recursive: true, force: true });
});

afterAll(async () => {
    await host?.stop();
});

interface VmEntry {
    readonly name: string;
    readonly args: Record<string, unknown>;
    readonly opts?: Record<string, unknown>;
}

function vm(name: string, scratchFolder: string, args: Record<string, unknown> = {}, opts?: Record<string, unknown>): VmEntry {
    return { name, args: { layerFolders: [BASE_LAYER, scratchFolder], ...args }, ...(opts ? { opts } : {}) };
}

async function program(vms: readonly VmEntry[]): Promise<PulumiProject> {
    const project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName });
    projects.push(project);
    await project.config({ vms });
    return project;
}

const REFUSAL = "two VMs must not share one sandbox.vhdx";

/** The resources whose diagnostics carry the refusal (the CLI repeats each error in its summary). */
function refused(output: string): string[] {
    const names = new Set<string>();
    for (const match of output.matchAll(/WcowUtilityVm \(([^)]+)\):\n\s+error: [^\n]*/g)) {
        if (match[0].includes(REFUSAL)) names.add(match[1]!);
    }
    return [...names].sort();
}

function nativeOf(windowsPath: string): string {
    return path.join(host.sim.root, "fs", "c", ...windowsPath.slice(3).split("\\"));
}

async function destroyAll(...stacks: PulumiProject[]): Promise<void> {
    for (const stack of stacks) expectSuccess(await stack.pulumi(["destroy", "--yes", "--skip-preview"]));
    await expectHostEmpty(host);
}

describe("one scratch folder, one VM", () => {
    it.each([4, 10])("%i resources naming one folder in one up: exactly one VM, a clear refusal for each other", async (count) => {
        const project = await program(Array.from({ length: count }, (_, i) => vm(`racer-${i}`, "C:\\uvms\\shared")));
        // --continue-on-error: every racer reaches create. Without it the engine starts no more creates
        // once one failed, and a refusal that comes quickly (through an agent, on a loaded machine) can
        // come before the program has registered every racer.
        const up = await project.pulumi(["up", "--yes", "--skip-preview", "--parallel", String(count), "--continue-on-error"]);
        expect(up.code).not.toBe(0);
        const output = up.stdout + up.stderr;
        const state = await project.exportState();
        expect(utilityVms(state)).toHaveLength(1);
        const winner = utilityVms(state)[0]!.urn.split("::").pop()!;
        const losers = Array.from({ length: count }, (_, i) => `racer-${i}`).filter((name) => name !== winner).sort();
        expect(refused(output)).toEqual(losers);
        expect((await host.sim.control.state()).systems).toHaveLength(1);
        await expectHostMatchesStacks(host, [state]);
        await destroyAll(project);
    });

    it("two stacks racing for one folder: one wins, the other is refused and leaves nothing", async () => {
        const a = await program([vm("a", "C:\\uvms\\contested")]);
        const b = await program([vm("b", "C:\\uvms\\contested")]);
        const [upA, upB] = await Promise.all([
            a.pulumi(["up", "--yes", "--skip-preview"]),
            b.pulumi(["up", "--yes", "--skip-preview"]),
        ]);
        expect([upA.code === 0, upB.code === 0].filter(Boolean)).toHaveLength(1);
        const loser = upA.code === 0 ? upB : upA;
        expect(loser.stdout + loser.stderr).toContain(REFUSAL);
        const states = [await a.exportState(), await b.exportState()];
        expect(states.flatMap(utilityVms)).toHaveLength(1);
        await expectHostMatchesStacks(host, states);
        await destroyAll(a, b);
    });

    it("C:\\uvms\\shared and C:\\uvms\\Shared are one folder: one VM, the other refused, the live disk untouched", async () => {
        const project = await program([vm("lower", "C:\\uvms\\shared"), vm("upper", "C:\\uvms\\Shared")]);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        expect(up.stdout + up.stderr).toContain(REFUSAL);
        const state = await project.exportState();
        const [winner] = utilityVms(state);
        expect(winner).toBeDefined();
        const folder = fs.readdirSync(nativeOf("C:\\uvms")).find((name) => name.toLowerCase() === "shared")!;
        const disk = path.join(nativeOf("C:\\uvms"), folder, "sandbox.vhdx");
        expect(fs.existsSync(disk)).toBe(true);
        const marker = JSON.parse(fs.readFileSync(path.join(nativeOf("C:\\uvms"), folder, "pulumi-hcs.json"), "utf8")) as { computeSystemId: string };
        expect(marker.computeSystemId).toBe(winner!.id);
        await expectHostMatchesStacks(host, [state]);
        await destroyAll(project);
    });
});

describe("a delete removes only what the owner marker names", () => {
    it("a stale destroy of stack A leaves stack B's VM, disk, marker and folders alone", async () => {
        const a = await program([vm("vm", "C:\\uvms\\reused")]);
        expectSuccess(await a.pulumi(["up", "--yes", "--skip-preview"]));
        const [vmA] = utilityVms(await a.exportState());
        await host.sim.control.kill(vmA!.id!);

        const b = await program([vm("vm", "C:\\uvms\\reused")]);
        expectSuccess(await b.pulumi(["up", "--yes", "--skip-preview"]));
        const [vmB] = utilityVms(await b.exportState());
        const disk = nativeOf("C:\\uvms\\reused\\sandbox.vhdx");
        const diskBefore = fs.statSync(disk);

        expectSuccess(await a.pulumi(["destroy", "--yes", "--skip-preview"])); // no refresh first
        expect((await host.sim.control.state()).systems.map((s) => [s.id, s.state])).toEqual([[vmB!.id, "Running"]]);
        expect(fs.statSync(disk).ino).toBe(diskBefore.ino);
        const marker = JSON.parse(fs.readFileSync(nativeOf("C:\\uvms\\reused\\pulumi-hcs.json"), "utf8")) as { computeSystemId: string };
        expect(marker.computeSystemId).toBe(vmB!.id);
        await expectHostMatchesStacks(host, [await a.exportState(), await b.exportState()]);
        await destroyAll(b);
    });

    it("pulumi up --replace (create-before-delete under the same ID) keeps the new VM", async () => {
        const project = await program([vm("forced", "C:\\uvms\\forced")]);
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [before] = utilityVms(await project.exportState());
        const replace = await project.pulumi(["up", "--yes", "--skip-preview", "--replace", before!.urn]);
        expectSuccess(replace);
        const state = await project.exportState();
        const [after] = utilityVms(state);
        expect(after!.outputs!.runtimeId).not.toBe(before!.outputs!.runtimeId);
        await expectHostMatchesStacks(host, [state]);
        await destroyAll(project);
    });
});

describe("a VM the stack no longer tracks still owns its folder", () => {
    it.each([
        ["retainOnDelete", async (project: PulumiProject, urn: string) => {
            await project.config({ vms: [vm("kept", "C:\\uvms\\kept", {}, { retainOnDelete: true })] });
            expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
            await project.config({ vms: [] });
            expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
            void urn;
        }],
        ["pulumi state delete", async (project: PulumiProject, urn: string) => {
            expectSuccess(await project.pulumi(["state", "delete", urn, "--yes"]));
            await project.config({ vms: [] });
        }],
    ] as const)("after %s: a new VM on its folder is refused with how to proceed; import adopts it", async (_how, forget) => {
        const project = await program([vm("kept", "C:\\uvms\\kept")]);
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [kept] = utilityVms(await project.exportState());
        await forget(project, kept!.urn);
        expect(utilityVms(await project.exportState())).toEqual([]);

        await project.config({ vms: [vm("newcomer", "C:\\uvms\\kept")] });
        const refused = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        const output = refused.stdout + refused.stderr;
        expect(output).toContain(`scratch folder of compute system '${kept!.id}'`);
        expect(output).toContain(`{ import: "${kept!.id}" }`);
        expect(output).toContain(`pulumi-hcs rm '${kept!.id}' --scratch 'C:\\uvms\\kept'`);
        expect((await host.sim.control.state()).systems.map((s) => s.id)).toEqual([kept!.id]);

        await project.config({ vms: [vm("newcomer", "C:\\uvms\\kept", {}, { import: kept!.id })] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const state = await project.exportState();
        expect(utilityVms(state).map((r) => r.id)).toEqual([kept!.id]);
        await expectHostMatchesStacks(host, [state]);
        await destroyAll(project);
    });
});
