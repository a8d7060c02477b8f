// Fault injection through the control interface: fail the Nth call, latency, hang, crash.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import {
    closeSystem, createSystem, errorOf, hcsLib, hex, HR, libraryStats, openSystem, runOpAsync, serviceProperties, start, terminate,
} from "./helpers/hcs-lib";
import { connectTo, expectNoLeaks, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterEach(async () => {
    await sim.control.clearFaults().catch(() => undefined);
});

afterAll(async () => {
    await stopSimulator(sim);
});

function newSystem(): { id: string; sys: bigint } {
    const id = newId();
    prepareVmFiles(sim.root, id);
    const c = createSystem(id, vmDocument(id));
    expect(hex(c.hr)).toBe(hex(0));
    return { id, sys: c.sys! };
}

describe("fail", () => {
    it("fails the Nth next call, K times, as the operation's result with an error document", async () => {
        const systems = [newSystem(), newSystem(), newSystem(), newSystem()];
        await sim.control.failNext("HcsStartComputeSystem", "0x80370118", { nth: 2, times: 2 });
        const results = systems.map((s) => start(s.sys));
        expect(results.map((r) => hex(r.hr))).toEqual([hex(0), hex(HR.HCS_E_OPERATION_TIMEOUT), hex(HR.HCS_E_OPERATION_TIMEOUT), hex(0)]);
        const err = errorOf(results[1]!);
        expect(err).toMatchObject({ Error: HR.HCS_E_OPERATION_TIMEOUT, ErrorMessage: expect.stringContaining("injected by the HCS simulator") });
        expect(err.ErrorEvents![0]!.Message).toContain("HcsStartComputeSystem");
        // The failed calls had no effect.
        expect((await sim.control.state()).systems.filter((s) => systems.some((x) => x.id === s.id)).map((s) => s.state))
            .toEqual(expect.arrayContaining(["Running", "Created", "Created", "Running"]));
        expect(await sim.control.listFaults()).toEqual([]);
        for (const s of systems) await closeSystem(s.sys);
    });

    it("fails a synchronous call as its return value, with the document in its result", () => {
        return sim.control.failNext("HcsGetServiceProperties", "0x80370114").then(() => {
            const r = serviceProperties({ PropertyTypes: ["Basic"] });
            expect(hex(r.hr)).toBe(hex(HR.HCS_E_SERVICE_NOT_AVAILABLE));
            expect(errorOf(r).ErrorMessage).toContain("injected");
            expect(serviceProperties({ PropertyTypes: ["Basic"] }).hr).toBe(0);
        });
    });

    it("a failed create leaves no system behind", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        await sim.control.failNext("HcsCreateComputeSystem", "0x80070005");
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.E_ACCESSDENIED));
        await closeSystem(c.sys);
        expect(hex(openSystem(id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
    });

    it("refuses faults the service cannot inject", async () => {
        await expect(sim.control.failNext("HcsWaitForOperationResult", "0x80370118")).rejects.toThrow(/runs inside the client library/);
        await expect(sim.control.failNext("HcsCloseComputeSystem", "0x80370118")).rejects.toThrow(/returns void/);
        await expect(sim.control.failNext("HcsNoSuchThing", "0x80370118")).rejects.toThrow(/not a computecore function/);
        await expect(sim.control.failNext("HcsStartComputeSystem", "0xZZ")).rejects.toThrow(/Cannot read HRESULT/);
    });
});

describe("latency and hang", () => {
    it("latency delays every call of the function", async () => {
        await sim.control.latency("HcsGetServiceProperties", 200);
        const started = Date.now();
        expect(serviceProperties(null).hr).toBe(0);
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        expect(await sim.control.listFaults()).toEqual([{ kind: "latency", fn: "HcsGetServiceProperties", ms: 200 }]);
    });

    it("a hung start never completes until the fault is cleared; the handle stays usable meanwhile", async () => {
        const a = newSystem();
        await sim.control.hang("HcsStartComputeSystem");
        const lib = hcsLib();
        const op = lib.HcsCreateOperation(null, null);
        expect(lib.HcsStartComputeSystem(a.sys, op, null)).toBe(0);
        expect(hex(lib.HcsWaitForOperationResult(op, 300, null))).toBe(hex(HR.HCS_E_OPERATION_TIMEOUT));
        // Other calls on the same handle are not held behind it.
        const props = await runOpAsync((o) => lib.HcsGetComputeSystemProperties(a.sys, o, null));
        expect(JSON.parse(props.doc!).State).toBe("Created");
        await sim.control.clearFaults();
        expect(lib.HcsWaitForOperationResult(op, 5000, null)).toBe(0);
        lib.HcsCloseOperation(op);
        expect(terminate(a.sys).hr).toBe(0);
        await closeSystem(a.sys);
    });
});

describe("crash", () => {
    it("a crash fails in-flight calls with HCS_E_SERVICE_DISCONNECT, new ones with HCS_E_SERVICE_NOT_AVAILABLE, and the library reconnects after a restart", async () => {
        const a = newSystem();
        await sim.control.hang("HcsStartComputeSystem");
        const inFlight = runOpAsync((op) => hcsLib().HcsStartComputeSystem(a.sys, op, null));
        await new Promise((r) => setTimeout(r, 50));
        await sim.control.crash();
        const r = await inFlight;
        expect(hex(r.hr)).toBe(hex(HR.HCS_E_SERVICE_DISCONNECT));
        const down = serviceProperties(null);
        expect(hex(down.hr)).toBe(hex(HR.HCS_E_SERVICE_NOT_AVAILABLE));
        // Usually "cannot connect"; when the connect races the dying process, "did not answer the hello frame".
        expect(errorOf(down).ErrorMessage).toMatch(/cannot connect|did not answer the hello/);
        expect(libraryStats().connected).toBe(false);

        await sim.restart();
        expect(serviceProperties(null).hr).toBe(0);
        expect(libraryStats().connected).toBe(true);
        expect(hex(start(a.sys).hr)).toBe(hex(HR.E_HANDLE));
        await closeSystem(a.sys);
        // The crash kept the system (Created; the hung start never ran).
        const reopened = openSystem(a.id);
        expect(reopened.hr).toBe(0);
        terminate(reopened.sys);
        await closeSystem(reopened.sys);
    });

    it("crash --on <function> kills the service when that call arrives, before it runs", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        await sim.control.request({ cmd: "fault", action: "crash", fn: "HcsCreateComputeSystem" });
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(HR.HCS_E_SERVICE_DISCONNECT));
        await closeSystem(c.sys);
        await sim.restart();
        connectTo(sim);
        expect(hex(openSystem(id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        expect(await sim.control.listFaults()).toEqual([]); // faults do not survive a restart
        expectNoLeaks();
    });
});
