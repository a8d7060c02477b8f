// The simulator through its native library (koffi): create/open/close, the state machine, IDs,
// properties and enumerate.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import {
    closeSystem, createSystem, enumerate, errorOf, GENERIC_ALL, hcsLib, hex, HR, openSystem, pause, properties, props,
    resume, serviceProperties, shutDown, start, systemCall, terminate,
} from "./helpers/hcs-lib";
import { eventually, expectNoLeaks, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator({ logicalProcessors: 8, build: 20348 });
});

afterAll(async () => {
    await stopSimulator(sim);
});

function createRunning(opts: Parameters<typeof vmDocument>[1] = {}): { id: string; sys: bigint } {
    const id = newId();
    prepareVmFiles(sim.root, id);
    const c = createSystem(id, vmDocument(id, opts));
    expect(hex(c.hr)).toBe(hex(0));
    return { id, sys: c.sys! };
}

describe("create, open and close", () => {
    it("HcsCreateComputeSystem creates a Created system with a fresh RuntimeId and the document's Owner", async () => {
        const { id, sys } = createRunning({ owner: "owner-a" });
        const p = props(sys);
        expect(p).toMatchObject({ Id: id, SystemType: "VirtualMachine", RuntimeOsType: "Windows", Owner: "owner-a", State: "Created" });
        expect(p.RuntimeId).toMatch(/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/);
        expect(p.Stopped).toBeUndefined();
        await closeSystem(sys);
    });

    it("a successful create's result document is empty", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const c = createSystem(id, vmDocument(id));
        expect(c.hr).toBe(0);
        expect(c.doc).toBeUndefined();
        await closeSystem(c.sys);
    });

    it("HcsOpenComputeSystem opens an existing system and sees the same RuntimeId", async () => {
        const { id, sys } = createRunning();
        const o = openSystem(id);
        expect(o.hr).toBe(0);
        expect(props(o.sys).RuntimeId).toBe(props(sys).RuntimeId);
        await closeSystem(o.sys);
        await closeSystem(sys);
    });

    it("HcsOpenComputeSystem fails with HCS_E_SYSTEM_NOT_FOUND for an unknown ID and E_INVALIDARG without GENERIC_ALL", () => {
        expect(hex(openSystem(newId("missing")).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        const out: [bigint | null] = [null];
        expect(hex(hcsLib().HcsOpenComputeSystem("x", GENERIC_ALL >>> 1, out))).toBe(hex(HR.E_INVALIDARG));
        expect(out[0]).toBeNull();
    });

    it("a duplicate ID fails with HCS_E_SYSTEM_ALREADY_EXISTS, case-insensitively, and still hands back a handle", async () => {
        const { id, sys } = createRunning();
        const again = createSystem(id.toUpperCase(), vmDocument(id));
        expect(hex(again.hr)).toBe(hex(HR.HCS_E_SYSTEM_ALREADY_EXISTS));
        expect(errorOf(again).ErrorMessage).toContain("already exists");
        expect(again.sys).not.toBeNull();
        // The failed create's handle names no system.
        expect(hex(start(again.sys).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        await closeSystem(again.sys);
        expect(props(sys).State).toBe("Created");
        await closeSystem(sys);
    });

    it("HcsCreateComputeSystem rejects NULL arguments locally with E_INVALIDARG", () => {
        const lib = hcsLib();
        const op = lib.HcsCreateOperation(null, null);
        const out: [bigint | null] = [null];
        expect(hex(lib.HcsCreateComputeSystem(null, "{}", op, null, out))).toBe(hex(HR.E_INVALIDARG));
        expect(hex(lib.HcsCreateComputeSystem("a", null, op, null, out))).toBe(hex(HR.E_INVALIDARG));
        expect(hex(lib.HcsCreateComputeSystem("a", "{}", null, null, out))).toBe(hex(HR.E_INVALIDARG));
        expect(hex(lib.HcsWaitForOperationResult(op, 0, null))).toBe(hex(HR.HCS_E_OPERATION_NOT_STARTED));
        lib.HcsCloseOperation(op);
    });

    it("a closed handle is E_HANDLE", async () => {
        const { sys } = createRunning();
        await closeSystem(sys);
        expect(hex(start(sys).hr)).toBe(hex(HR.E_HANDLE));
        expect(hex(start(null).hr)).toBe(hex(HR.E_INVALIDARG));
    });
});

describe("state machine", () => {
    it("Created → Running → Paused → Running → Stopped (GracefulExit)", async () => {
        const { sys } = createRunning();
        expect(start(sys).hr).toBe(0);
        expect(props(sys).State).toBe("Running");
        expect(pause(sys).hr).toBe(0);
        expect(props(sys).State).toBe("Paused");
        expect(resume(sys).hr).toBe(0);
        expect(props(sys).State).toBe("Running");
        expect(shutDown(sys).hr).toBe(0);
        expect(props(sys)).toMatchObject({ State: "Stopped", Stopped: true, ExitType: "GracefulExit" });
        await closeSystem(sys);
    });

    it("every invalid transition fails with HCS_E_INVALID_STATE and leaves the state alone", async () => {
        const { sys } = createRunning();
        // Created
        for (const call of [pause, resume]) expect(hex(call(sys).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        expect(props(sys).State).toBe("Created");
        // Running
        expect(start(sys).hr).toBe(0);
        for (const call of [start, resume]) expect(hex(call(sys).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        expect(props(sys).State).toBe("Running");
        // Paused
        expect(pause(sys).hr).toBe(0);
        for (const call of [start, pause]) expect(hex(call(sys).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        const err = errorOf(pause(sys));
        expect(err.Error).toBe(HR.HCS_E_INVALID_STATE);
        expect(err.ErrorMessage).toContain("Paused");
        // Stopped
        expect(terminate(sys).hr).toBe(0);
        for (const call of [start, pause, resume]) expect(hex(call(sys).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        await closeSystem(sys);
    });

    it("ShutDown and Terminate of a Stopped system fail with HCS_E_SYSTEM_ALREADY_STOPPED", async () => {
        const { sys } = createRunning();
        expect(start(sys).hr).toBe(0);
        expect(terminate(sys).hr).toBe(0);
        expect(props(sys)).toMatchObject({ State: "Stopped", ExitType: "ForcedExit" });
        expect(hex(terminate(sys).hr)).toBe(hex(HR.HCS_E_SYSTEM_ALREADY_STOPPED));
        expect(hex(shutDown(sys).hr)).toBe(hex(HR.HCS_E_SYSTEM_ALREADY_STOPPED));
        await closeSystem(sys);
    });

    it("ShutDown works from Created and Paused; Terminate from any live state", async () => {
        const a = createRunning();
        expect(shutDown(a.sys).hr).toBe(0);
        const b = createRunning();
        start(b.sys);
        pause(b.sys);
        expect(shutDown(b.sys).hr).toBe(0);
        const c = createRunning();
        expect(terminate(c.sys).hr).toBe(0);
        for (const x of [a, b, c]) await closeSystem(x.sys);
    });

    it("a stopped system disappears when its last handle closes; a live one stays", async () => {
        const stopped = createRunning();
        terminate(stopped.sys);
        const live = createRunning();
        await closeSystem(stopped.sys);
        await closeSystem(live.sys);
        expect(hex(openSystem(stopped.id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        const reopened = openSystem(live.id);
        expect(reopened.hr).toBe(0);
        terminate(reopened.sys);
        await closeSystem(reopened.sys);
    });

    it("ShouldTerminateOnLastHandleClosed terminates the system when its last handle closes, from any connection", async () => {
        const { id, sys } = createRunning({ terminateOnLastHandleClosed: true });
        expect(start(sys).hr).toBe(0);
        expect(props(sys, ["TerminateOnLastHandleClosed"]).TerminateOnLastHandleClosed).toBe(true);
        const second = openSystem(id);
        await closeSystem(sys);
        expect(props(second.sys).State).toBe("Running"); // a handle remains
        await closeSystem(second.sys);
        expect(hex(openSystem(id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
    });

    it("start options must be empty, NULL or a JSON object the schema knows", async () => {
        const { sys } = createRunning();
        expect(hex(systemCall("HcsStartComputeSystem", sys, "not json").hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(hex(systemCall("HcsStartComputeSystem", sys, '{"Bogus":1}').hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(systemCall("HcsStartComputeSystem", sys, "").hr).toBe(0);
        expect(hex(systemCall("HcsPauseComputeSystem", sys, '{"SuspensionLevel":"Deep"}').hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(systemCall("HcsPauseComputeSystem", sys, '{"SuspensionLevel":"Suspend"}').hr).toBe(0);
        terminate(sys);
        await closeSystem(sys);
    });
});

describe("properties", () => {
    it("Memory reports the size in 4 KiB pages, Statistics counts uptime, CpuGroup defaults to the null group", async () => {
        const { sys } = createRunning({ memoryMB: 2048, processors: 4 });
        start(sys);
        await new Promise((r) => setTimeout(r, 30));
        const p = props(sys, ["Memory", "Statistics", "TerminateOnLastHandleClosed", "CpuGroup"]);
        expect(p.Memory.VirtualMachineMemory.AssignedMemory).toBe(2048 * 256);
        expect(p.Memory.VirtualNodes[0].VirtualProcessorCount).toBe(4);
        expect(p.Statistics.Uptime100ns).toBeGreaterThan(0);
        expect(Date.parse(p.Statistics.Timestamp)).not.toBeNaN();
        expect(p.Statistics.Memory.MemoryUsageCommitBytes).toBe(2048 * 1024 * 1024);
        expect(p.TerminateOnLastHandleClosed).toBe(false);
        expect(p.CpuGroup).toEqual({ Id: "00000000-0000-0000-0000-000000000000" });
        expect(p.State).toBe("Running");
        terminate(sys);
        await closeSystem(sys);
    });

    it("an unknown property type is HCS_E_INVALID_JSON naming it", async () => {
        const { sys } = createRunning();
        const r = properties(sys, { PropertyTypes: ["Memory", "Bogus"] });
        expect(hex(r.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(errorOf(r).ErrorMessage).toContain('PropertyTypes[1]: unknown property type "Bogus"');
        expect(hex(properties(sys, "{").hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(hex(properties(sys, { Types: [] }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        await closeSystem(sys);
    });

    it("Memory of a stopped system is HCS_E_INVALID_STATE, its basic properties still answer", async () => {
        const { sys } = createRunning();
        terminate(sys);
        expect(hex(properties(sys, { PropertyTypes: ["Memory"] }).hr)).toBe(hex(HR.HCS_E_INVALID_STATE));
        expect(props(sys).State).toBe("Stopped");
        await closeSystem(sys);
    });

    it("the Simulator property type returns the current configuration", async () => {
        const { id, sys } = createRunning({ memoryMB: 1536 });
        const p = props(sys, ["Simulator"]);
        expect(p.Simulator.Configuration.VirtualMachine.ComputeTopology.Memory.SizeInMB).toBe(1536);
        expect(p.Simulator.Handles).toBe(1);
        expect(p.Id).toBe(id);
        await closeSystem(sys);
    });
});

describe("enumerate", () => {
    it("filters by Ids, Owners and Types (AND across keys, OR within a list)", async () => {
        const a = createRunning({ owner: "enum-a" });
        const b = createRunning({ owner: "enum-b" });
        const all = JSON.parse(enumerate().doc!) as { Id: string; Owner: string }[];
        expect(all.map((s) => s.Id)).toEqual(expect.arrayContaining([a.id, b.id]));

        const byOwner = JSON.parse(enumerate({ Owners: ["enum-a", "enum-b"] }).doc!) as { Id: string }[];
        expect(byOwner.map((s) => s.Id).sort()).toEqual([a.id, b.id].sort());
        const both = JSON.parse(enumerate({ Owners: ["enum-a"], Ids: [b.id] }).doc!) as unknown[];
        expect(both).toEqual([]);
        const byId = JSON.parse(enumerate({ Ids: [a.id.toUpperCase()], Types: ["VirtualMachine"] }).doc!) as { Id: string; State: string }[];
        expect(byId).toEqual([expect.objectContaining({ Id: a.id, State: "Created", SystemType: "VirtualMachine" })]);
        expect(JSON.parse(enumerate({ Types: ["Container"] }).doc!)).toEqual([]);
        expect(JSON.parse(enumerate({ Names: ["x"] }).doc!)).toEqual([]);
        await closeSystem(a.sys);
        await closeSystem(b.sys);
    });

    it("an unknown SystemQuery key or type value is HCS_E_INVALID_JSON", () => {
        const r = enumerate({ Owner: ["x"] });
        expect(hex(r.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(errorOf(r).ErrorMessage).toContain("Owner: unknown field");
        expect(hex(enumerate({ Types: ["VM"] }).hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
    });
});

describe("service properties", () => {
    it("ProcessorTopology has exactly one element with every logical processor", () => {
        const r = serviceProperties({ PropertyTypes: ["ProcessorTopology"] });
        expect(r.hr).toBe(0);
        const p = JSON.parse(r.doc!);
        expect(p.Properties).toHaveLength(1);
        expect(p.Properties[0].LogicalProcessorCount).toBe(8);
        expect(p.Properties[0].LogicalProcessors[3]).toEqual({ LpIndex: 3, NodeNumber: 0, PackageId: 0, CoreId: 3, RootVpIndex: 3 });
    });

    it("Basic lists the schema versions of the build, Simulator names the root and build, in request order", () => {
        const p = JSON.parse(serviceProperties({ PropertyTypes: ["Simulator", "Basic"] }).doc!);
        expect(p.Properties[0]).toMatchObject({ Root: sim.root, OsBuild: 20348, LogicalProcessorCount: 8 });
        expect(p.Properties[1]).toEqual({ SupportedSchemaVersions: [{ Major: 2, Minor: 5 }] });
        expect(JSON.parse(serviceProperties(null).doc!).Properties[0].SupportedSchemaVersions).toBeDefined();
    });

    it("an unknown service property type is HCS_E_INVALID_JSON naming it", () => {
        const r = serviceProperties({ PropertyTypes: ["Basic", "Nope"] });
        expect(hex(r.hr)).toBe(hex(HR.HCS_E_INVALID_JSON));
        expect(errorOf(r).ErrorMessage).toContain('"Nope"');
    });
});

describe("after the tests", () => {
    it("every handle is closed on both sides and nothing leaked", async () => {
        await eventually(async () => (await sim.control.state()).connections.every((c) => c.handles.length === 0), 5000, "the service's handles to close");
        expectNoLeaks();
    });
});
