/**
 * The dynamic provider's create/read/update/delete against a simulated host: every in-place change
 * applied and verified, replacements, drift, idempotent delete, and import of an existing system.
 */
import fs from "node:fs";
import path from "node:path";
import { isNotFound } from "../../provider/src/hcs";
import { diff } from "../../provider/src/pulumi/diff";
import { inputsOf } from "../../provider/src/pulumi/property-bags";
import { type Bag, checked, createVm, leftovers, provider, vmArgs } from "../support/provider";
import { simulatedConfiguration, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

async function update(id: string, olds: Bag, changes: Bag): Promise<Bag> {
    const news = await checked({ ...inputsOf(olds), ...changes }, olds);
    const d = await provider.diff!(id, olds, news);
    expect(d.replaces).toEqual([]);
    const result = await provider.update!(id, olds, news);
    return result.outs as Bag;
}

describe("create", () => {
    it("creates and starts the VM, copying the scratch from the template", async () => {
        const { id, outs } = await createVm(vmArgs(host, "create-basic", { memorySizeInMB: 2048, processorLimit: 40000 }));
        expect(outs).toMatchObject({
            computeSystemId: id,
            state: "Running",
            uvmFolder: "C:\\layers\\base",
            scratchPath: "C:\\uvms\\create-basic\\sandbox.vhdx",
            scratchCreated: true,
            createdFolders: ["C:\\uvms", "C:\\uvms\\create-basic"],
            memorySizeInMB: 2048,
            processorLimit: 40000,
        });
        expect(outs.runtimeId).toMatch(/^[0-9a-f-]{36}$/);
        // The create document is not kept in the outputs (a quarter of the state; `render` prints it).
        expect(outs).not.toHaveProperty("document");
        const document = await simulatedConfiguration(host, id) as unknown as { Owner: string; ShouldTerminateOnLastHandleClosed?: boolean };
        expect(document).toMatchObject({ Owner: "pulumi-hcs", VirtualMachine: { ComputeTopology: { Memory: { SizeInMB: 2048 }, Processor: { Limit: 40000 } } } });
        expect(document.ShouldTerminateOnLastHandleClosed).toBeUndefined();
        await provider.delete!(id, outs);
    });

    it("uses an existing sandbox.vhdx, and delete leaves it (only revoking the VM's access)", async () => {
        const existing = path.join(host.sim.root, "fs", "c", "uvms", "keep-scratch");
        fs.mkdirSync(existing, { recursive: true });
        fs.writeFileSync(path.join(existing, "sandbox.vhdx"), "user's disk");
        const { id, outs } = await createVm(vmArgs(host, "keep-scratch"));
        expect(outs).toMatchObject({ scratchCreated: false, createdFolders: [] });
        await provider.delete!(id, outs);
        expect(fs.readFileSync(path.join(existing, "sandbox.vhdx"), "utf8")).toBe("user's disk");
        expect((await leftovers(host, id, "C:\\uvms\\keep-scratch")).grants).toEqual([]);
    });
});

describe("the scratch folder belongs to one VM", () => {
    it("refuses a folder whose owner marker it cannot read, touching nothing in it", async () => {
        const folder = path.join(host.sim.root, "fs", "c", "uvms", "garbled-marker");
        fs.mkdirSync(folder, { recursive: true });
        fs.writeFileSync(path.join(folder, "pulumi-hcs.json"), "not json");
        fs.writeFileSync(path.join(folder, "sandbox.vhdx"), "someone's disk");
        const error = await createVm(vmArgs(host, "garbled-marker")).catch((e: unknown) => e) as Error;
        expect(error.message).toContain("C:\\uvms\\garbled-marker\\pulumi-hcs.json is not a pulumi-hcs owner marker we can read");
        expect(fs.readFileSync(path.join(folder, "pulumi-hcs.json"), "utf8")).toBe("not json");
        expect(fs.readFileSync(path.join(folder, "sandbox.vhdx"), "utf8")).toBe("someone's disk");
        expect(fs.readdirSync(folder).sort()).toEqual(["pulumi-hcs.json", "sandbox.vhdx"]);
    });

    it("replaces the stale disk of a VM that died and was dropped from state, revoking its grant", async () => {
        const args = vmArgs(host, "reused-scratch");
        const dead = await createVm(args);
        await host.sim.control.kill(dead.id);
        expect(await provider.read!(dead.id, dead.outs)).toEqual({}); // refresh drops it; its files stay
        const next = await createVm(args);
        expect(next.outs.scratchCreated).toBe(true);
        expect((await leftovers(host, dead.id, "C:\\uvms\\reused-scratch")).grants).toEqual([]);
        await provider.delete!(next.id, next.outs);
        expect(await leftovers(host, next.id, "C:\\uvms\\reused-scratch")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("refuses a scratch folder whose disk a live VM uses, touching nothing of it", async () => {
        const args = vmArgs(host, "taken-scratch");
        const live = await createVm(args);
        const error = await provider.create(await checked(args)).catch((e: unknown) => e) as Error;
        expect(error.message).toContain(`is the scratch folder of compute system '${live.id}', which still exists`);
        expect(error.message).toContain("give this VM another scratch folder");
        const left = await leftovers(host, live.id, "C:\\uvms\\taken-scratch");
        expect(left.systems).toEqual([`${live.id} Running`]);
        expect(left.grants).toEqual(["C:\\uvms\\taken-scratch\\sandbox.vhdx"]);
        await provider.delete!(live.id, live.outs);
    });

    it("refuses a compute-system ID that already exists before touching any file", async () => {
        const live = await createVm(vmArgs(host, "same-id-a", { computeSystemId: "fixed-id" }));
        const error = await provider.create(await checked(vmArgs(host, "same-id-b", { computeSystemId: "fixed-id" }))).catch((e: unknown) => e) as Error;
        expect(error.message).toContain("compute system ID is already in use: a compute system with ID 'fixed-id' already exists");
        expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", "same-id-b"))).toBe(false);
        expect((await leftovers(host, "fixed-id", "C:\\uvms\\same-id-a")).grants).toEqual(["C:\\uvms\\same-id-a\\sandbox.vhdx"]);
        await provider.delete!(live.id, live.outs);
    });
});

describe("a stable program", () => {
    it("diffs to no change after create", async () => {
        const args = vmArgs(host, "stable", { memorySizeInMB: 1023, processorCount: 64 });
        const { id, outs } = await createVm(args);
        const news = await checked(args, outs);
        expect(await provider.diff!(id, outs, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        await provider.delete!(id, outs);
    });
});

describe("update in place", () => {
    it("applies processor limit and weight to the running VM, keeping its runtime ID", async () => {
        const { id, outs } = await createVm(vmArgs(host, "limits"));
        const updated = await update(id, outs, { processorLimit: 25000, processorWeight: 300 });
        expect(updated).toMatchObject({ processorLimit: 25000, processorWeight: 300, runtimeId: outs.runtimeId, state: "Running" });
        const processor = (await simulatedConfiguration(host, id)).VirtualMachine.ComputeTopology.Processor;
        expect([processor.Limit, processor.Weight]).toEqual([25000, 300]);
        await provider.delete!(id, updated);
    });

    it("moves the VM into, between (through the null group) and out of CPU groups, sending each ID as written", async () => {
        const { id, outs } = await createVm(vmArgs(host, "cpugroup"));
        const groupA = "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f";
        const groupB = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        const inA = await update(id, outs, { cpuGroupId: groupA });
        expect((await simulatedConfiguration(host, id)).VirtualMachine.ComputeTopology.Processor.CpuGroup?.Id).toBe(groupA);
        const inB = await update(id, inA, { cpuGroupId: groupB.toUpperCase() });
        expect(inB.cpuGroupId).toBe(groupB.toUpperCase());
        // HCS holds a GUID, not its spelling, and reports it in its own (lower case, no braces).
        expect((await simulatedConfiguration(host, id)).VirtualMachine.ComputeTopology.Processor.CpuGroup?.Id).toBe(groupB);
        // Another spelling of the same group is no move: nothing is sent to HCS.
        const modifies = (await host.sim.control.state()).calls.HcsModifyComputeSystem;
        const respelled = await update(id, inB, { cpuGroupId: `{${groupB}}` });
        expect(respelled.cpuGroupId).toBe(`{${groupB}}`);
        expect((await host.sim.control.state()).calls.HcsModifyComputeSystem).toBe(modifies);
        const { cpuGroupId: _drop, ...withoutGroup } = inputsOf(respelled);
        const news = await checked(withoutGroup, inB);
        const out = (await provider.update!(id, respelled, news)).outs as Bag;
        expect(out).not.toHaveProperty("cpuGroupId");
        expect((await simulatedConfiguration(host, id)).VirtualMachine.ComputeTopology.Processor.CpuGroup?.Id ?? null)
            .toMatch(/^(00000000-0000-0000-0000-000000000000|null)$/);
        await provider.delete!(id, out);
    });

    it("resizes memory of a VA-backed VM and checks HCS assigned it", async () => {
        const { id, outs } = await createVm(vmArgs(host, "memory", { memorySizeInMB: 1024 }));
        const updated = await update(id, outs, { memorySizeInMB: 3071 });
        expect(updated.memorySizeInMB).toBe(3072);
        expect((await simulatedConfiguration(host, id)).VirtualMachine.ComputeTopology.Memory.SizeInMB).toBe(3072);
        await provider.delete!(id, updated);
    });

    it("starts a created VM when start goes from false to true", async () => {
        const { id, outs } = await createVm(vmArgs(host, "late-start", { start: false }));
        expect(outs.state).toBe("Created");
        const updated = await update(id, outs, { start: true });
        expect(updated).toMatchObject({ start: true, state: "Running", runtimeId: outs.runtimeId });
        await provider.delete!(id, updated);
    });

    it("records provider-side inputs without touching HCS", async () => {
        const { id, outs } = await createVm(vmArgs(host, "provider-side"));
        const calls = (await host.sim.control.state()).calls.HcsModifyComputeSystem ?? 0;
        const updated = await update(id, outs, { noWritableFileShares: true, networkConfigProxy: "127.0.0.1:6445", timeouts: { delete: "2m" } });
        expect(updated).toMatchObject({ noWritableFileShares: true, networkConfigProxy: "127.0.0.1:6445", timeouts: { delete: "2m" } });
        expect((await host.sim.control.state()).calls.HcsModifyComputeSystem ?? 0).toBe(calls);
        await provider.delete!(id, updated);
    });

    it("reports precisely what HCS refused, with the outputs as they really are", async () => {
        const { id, outs } = await createVm(vmArgs(host, "partial"));
        const news = await checked({ ...inputsOf(outs), processorLimit: 10000, memorySizeInMB: 2048 }, outs);
        await host.sim.control.failNext("HcsModifyComputeSystem", 0x80370105, { nth: 1 });
        const error = await provider.update!(id, outs, news).catch((e: unknown) => e) as Error & { id: string; properties: Bag; reasons: string[] };
        await host.sim.control.clearFaults();
        expect(error.message).toContain("processorLimit");
        expect(error.message).toContain("HCS_E_INVALID_STATE (0x80370105)");
        expect(error.id).toBe(id);
        expect(error.reasons).toEqual([expect.stringMatching(/^processorLimit: /)]);
        expect(error.properties).toMatchObject({ processorLimit: 0, memorySizeInMB: 2048 });
        // The next `pulumi up` sees exactly the refused change again.
        expect(diff(id, error.properties, news)).toMatchObject({ changes: true, replaces: [] });
        await provider.delete!(id, error.properties);
    });
});

describe("replacement", () => {
    it("creates a new VM (new runtime ID) while the old one is deleted", async () => {
        const args = vmArgs(host, "replace-old");
        const old = await createVm(args);
        const news = await checked({ ...args, processorCount: 1, layerFolders: [(args.layerFolders as string[])[0], "C:\\uvms\\replace-new"] }, old.outs);
        // A new scratch folder: the two VMs do not collide, so Pulumi may create before deleting.
        expect(await provider.diff!(old.id, old.outs, news)).toMatchObject({ replaces: ["layerFolders", "processorCount"], deleteBeforeReplace: false });
        const created = await provider.create(news);
        await provider.delete!(old.id, old.outs);
        expect(created.outs.runtimeId).not.toBe(old.outs.runtimeId);
        expect(isNotFound(await host.client.openComputeSystem(old.id).catch((e: unknown) => e))).toBe(true);
        await provider.delete!(created.id, created.outs);
    });
});

describe("read", () => {
    it("reports state and runtime ID of a live VM, and leaves the state's inputs alone when none drifted", async () => {
        const { id, outs } = await createVm(vmArgs(host, "read-live"));
        const result = await provider.read!(id, outs);
        expect(result.id).toBe(id);
        expect(result.props).toMatchObject({ state: "Running", runtimeId: outs.runtimeId, assignedMemoryInMB: 1024 });
        expect(result.inputs).toBeUndefined();
        // An input that drifted (the owner HCS reports is not the state's): the inputs come back, with it.
        const drifted = await provider.read!(id, { ...outs, owner: "someone-else" });
        expect(drifted.inputs).toMatchObject({ layerFolders: outs.layerFolders, host: host.hostName, owner: outs.owner });
        expect(drifted.inputs).not.toHaveProperty("runtimeId");
        await provider.delete!(id, outs);
    });

    it("drops the create document a state from an earlier version holds, on refresh and on update", async () => {
        const { id, outs, inputs } = await createVm(vmArgs(host, "read-old-state"));
        const oldState = { ...outs, document: "{\"Owner\":\"pulumi-hcs\"}" };
        const refreshed = await provider.read!(id, oldState);
        expect(refreshed.props).not.toHaveProperty("document");
        expect(refreshed.props).toMatchObject({ state: "Running", runtimeId: outs.runtimeId });
        const updated = await provider.update!(id, oldState, { ...inputs, noWritableFileShares: true });
        expect(updated.outs).not.toHaveProperty("document");
        expect(updated.outs).toMatchObject({ noWritableFileShares: true, runtimeId: outs.runtimeId });
        await provider.delete!(id, outs);
    });

    it("reads a VM killed behind Pulumi's back as gone", async () => {
        const { id, outs } = await createVm(vmArgs(host, "drift-kill"));
        await host.sim.control.kill(id);
        expect(await provider.read!(id, outs)).toEqual({});
        await provider.delete!(id, outs);
        expect(await leftovers(host, id, "C:\\uvms\\drift-kill")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("reads a VM stopped outside Pulumi (pulumi-hcs rm) as gone", async () => {
        const { id, outs } = await createVm(vmArgs(host, "drift-stop"));
        const system = await host.client.openComputeSystem(id);
        await system.shutdown();
        expect(await provider.read!(id, outs)).toEqual({});
        await system.close();
        await provider.delete!(id, outs);
    });
});

describe("delete", () => {
    it("is idempotent and removes the VM, the scratch it made and its empty folders", async () => {
        const { id, outs } = await createVm(vmArgs(host, "delete-twice"));
        await provider.delete!(id, outs);
        await provider.delete!(id, outs);
        expect(await leftovers(host, id, "C:\\uvms\\delete-twice")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("terminates a VM whose graceful shutdown does not finish in time", async () => {
        const { id, outs } = await createVm(vmArgs(host, "slow-shutdown", { timeouts: { delete: "1s" } }));
        await host.sim.control.hang("HcsShutDownComputeSystem");
        try {
            await provider.delete!(id, outs);
        } finally {
            await host.sim.control.clearFaults();
        }
        expect(await leftovers(host, id, "C:\\uvms\\slow-shutdown")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("keeps a scratch folder that holds other files", async () => {
        const { id, outs } = await createVm(vmArgs(host, "not-empty"));
        fs.writeFileSync(path.join(host.sim.root, "fs", "c", "uvms", "not-empty", "notes.txt"), "keep me");
        await provider.delete!(id, outs);
        // The folder stays, still marked as ours: a later delete that finds it empty may remove it.
        expect((await leftovers(host, id, "C:\\uvms\\not-empty")).files.map((f) => path.basename(f))).toEqual(["not-empty", "notes.txt", "pulumi-hcs.folder"]);
    });
});

describe("adoptExisting (the SDK's import option)", () => {
    it("takes over a system created outside Pulumi, keeping its runtime ID, and delete leaves its disk", async () => {
        const id = "adopted-vm";
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
        const runtimeId = (await system.properties()).RuntimeId;
        await system.close();
        const { outs } = await createVm(vmArgs(host, id, { computeSystemId: id, adoptExisting: true }));
        expect(outs).toMatchObject({
            computeSystemId: id,
            runtimeId,
            state: "Running", // it was Created, and start defaults to true
            uvmFolder: "C:\\layers\\base",
            scratchPath: `C:\\uvms\\${id}\\sandbox.vhdx`,
            scratchCreated: false,
        });
        await provider.delete!(id, outs);
        expect(isNotFound(await host.client.openComputeSystem(id).catch((e: unknown) => e))).toBe(true);
        expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", id, "sandbox.vhdx"))).toBe(true);
    });

    it("fails when there is no such system to adopt, creating nothing", async () => {
        const error = await createVm(vmArgs(host, "adopt-nothing", { computeSystemId: "adopt-nothing", adoptExisting: true })).catch((e: unknown) => e) as Error;
        expect(error.message).toContain("there is no compute system 'adopt-nothing' to adopt");
        expect(await leftovers(host, "adopt-nothing", "C:\\uvms\\adopt-nothing")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("records what HCS reports (memory, owner), not the program's values, so the next diff shows them", async () => {
        const id = "adopt-truth";
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id, { memorySizeInMB: 2048, owner: "someone-else" }));
        await system.close();
        const args = vmArgs(host, id, { computeSystemId: id, adoptExisting: true, memorySizeInMB: 1024 });
        const { outs } = await createVm(args);
        expect(outs).toMatchObject({ memorySizeInMB: 2048, owner: "someone-else", terminateOnLastHandleClosed: false });
        const d = await provider.diff!(id, outs, await checked(args, outs));
        expect(d.changes).toBe(true);
        expect(d.replaces).toEqual(["owner"]); // memory resizes in place (allowOvercommit); the owner is a replacement
        await provider.delete!(id, outs);
    });

    it("refuses a VM whose scratch disk is not in the program's scratch folder", async () => {
        const id = "adopt-elsewhere";
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
        await system.close();
        const error = await createVm(vmArgs(host, "not-its-folder", { computeSystemId: id, adoptExisting: true })).catch((e: unknown) => e) as Error;
        expect(error.message).toContain("C:\\uvms\\not-its-folder\\sandbox.vhdx does not exist");
        const vm = await host.client.openComputeSystem(id);
        await vm.terminate();
        await vm.close();
    });

    it("takes over a VM another Pulumi resource manages; that resource's delete then only forgets it", async () => {
        const theirs = "urn:pulumi:other::proj::pulumi-nodejs:dynamic/hcs:WcowUtilityVm::theirs";
        const mine = "urn:pulumi:mine::proj::pulumi-nodejs:dynamic/hcs:WcowUtilityVm::mine";
        const other = await createVm({ ...vmArgs(host, "adopt-theirs"), __resource: theirs });
        const adopted = await createVm({ ...vmArgs(host, "adopt-theirs", { computeSystemId: other.id, adoptExisting: true }), __resource: mine });
        expect(adopted.outs).toMatchObject({ computeSystemId: other.id, runtimeId: other.outs.runtimeId, __resource: mine });
        const marker = JSON.parse(fs.readFileSync(path.join(host.sim.root, "fs", "c", "uvms", "adopt-theirs", "pulumi-hcs.json"), "utf8")) as { resource: string };
        expect(marker.resource).toBe(mine);

        await provider.delete!(other.id, other.outs); // the old owner's destroy
        const left = await leftovers(host, other.id, "C:\\uvms\\adopt-theirs");
        expect(left.systems).toEqual([`${other.id} Running`]);
        expect(left.files).toContain(path.join("fs", "c", "uvms", "adopt-theirs", "sandbox.vhdx"));

        await provider.delete!(adopted.id, adopted.outs); // the new owner's destroy removes everything
        expect(await leftovers(host, other.id, "C:\\uvms\\adopt-theirs")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("is refused at check without a computeSystemId to adopt", async () => {
        const result = await provider.check({}, vmArgs(host, "adopt-what", { adoptExisting: true }));
        expect(result.failures).toEqual([{ property: "adoptExisting", reason: expect.stringContaining("set computeSystemId") }]);
    });
});
