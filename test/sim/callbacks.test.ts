// Completion and event callbacks: they run on the library's dispatcher thread, while the JS thread is
// free; events report exits and disconnects; closing a handle stops its events.
import koffi from "koffi";
import type { RunningSimulator } from "../../provider/sim/service/launch";
import {
    closeSystem, COMPLETION, createSystem, EVENT_CALLBACK, EVENT_OPERATION_CALLBACK, EVENT_SERVICE_DISCONNECT, EVENT_SYSTEM_EXITED, HCS_EVENT,
    hcsLib, hex, HR, libraryStats, start, takeString, terminate,
} from "./helpers/hcs-lib";
import { connectTo, eventually, expectNoLeaks, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

interface SeenEvent {
    type: number;
    data: string | null;
    operation: bigint | null;
    context: bigint | null;
}

let sim: RunningSimulator;
const events: SeenEvent[] = [];
let onEvent: bigint;
const completions: { op: bigint; context: bigint | null; hr: number; doc: string | undefined; jsThreadFree: boolean }[] = [];
let jsBusy = false;
let onComplete: bigint;
const keepAlive = setInterval(() => undefined, 1 << 30);

beforeAll(async () => {
    sim = await useSimulator();
    onEvent = koffi.register((event: bigint, context: bigint | null) => {
        const e = koffi.decode(event, HCS_EVENT) as { Type: number; EventData: bigint | null; Operation: bigint | null };
        const data = e.EventData ? (koffi.decode(e.EventData, "char16_t", -1) as string) : null;
        events.push({ type: e.Type, data, operation: e.Operation, context });
    }, koffi.pointer(EVENT_CALLBACK));
    onComplete = koffi.register((op: bigint, context: bigint | null) => {
        const out: [bigint | null] = [null];
        const hr = hcsLib().HcsWaitForOperationResult(op, 0, out);
        completions.push({ op, context, hr, doc: takeString(out[0]), jsThreadFree: !jsBusy });
        hcsLib().HcsCloseOperation(op); // allowed inside the completion callback
    }, koffi.pointer(COMPLETION));
});

afterAll(async () => {
    clearInterval(keepAlive);
    koffi.unregister(onEvent);
    koffi.unregister(onComplete);
    await stopSimulator(sim);
});

function newSystem(): { id: string; sys: bigint } {
    const id = newId();
    prepareVmFiles(sim.root, id);
    const c = createSystem(id, vmDocument(id));
    expect(hex(c.hr)).toBe(hex(0));
    return { id, sys: c.sys! };
}

describe("completion callbacks", () => {
    it("run on the dispatcher thread, not the JS thread nor the reader thread, after the call returned", async () => {
        const lib = hcsLib();
        completions.length = 0;
        const op = lib.HcsCreateOperation(0x1234n, onComplete);
        jsBusy = true;
        expect(lib.HcsEnumerateComputeSystems(null, op)).toBe(0);
        jsBusy = false; // the callback cannot run before the JS thread is free again
        await eventually(() => completions.length === 1, 5000, "the completion callback");
        expect(completions[0]).toMatchObject({ op, context: 0x1234n, hr: 0, jsThreadFree: true });
        expect(JSON.parse(completions[0]!.doc!)).toEqual(expect.any(Array));
        const stats = libraryStats();
        expect(stats.lastCallbackThreadId).toBe(stats.dispatcherThreadId);
        expect(stats.dispatcherThreadId).not.toBe(stats.callerThreadId); // callerThreadId is this JS thread
        expect(stats.dispatcherThreadId).not.toBe(stats.readerThreadId);
        expect(stats.dispatcherThreadId).not.toBe(0);
    });

    it("an operation closed while in flight never calls back and its result is discarded", async () => {
        const lib = hcsLib();
        completions.length = 0;
        await sim.control.latency("HcsEnumerateComputeSystems", 150);
        const op = lib.HcsCreateOperation(null, onComplete);
        expect(lib.HcsEnumerateComputeSystems(null, op)).toBe(0);
        lib.HcsCloseOperation(op);
        await new Promise((r) => setTimeout(r, 400));
        await sim.control.clearFaults();
        expect(completions).toHaveLength(0);
        expect(libraryStats().inFlightOperations).toBe(0);
    });

    it("an operation can be reused once it completed; starting it while in flight is HCS_E_OPERATION_ALREADY_STARTED", async () => {
        const lib = hcsLib();
        await sim.control.latency("HcsEnumerateComputeSystems", 100);
        const op = lib.HcsCreateOperation(null, null);
        expect(lib.HcsEnumerateComputeSystems(null, op)).toBe(0);
        expect(hex(lib.HcsEnumerateComputeSystems(null, op))).toBe(hex(HR.HCS_E_OPERATION_ALREADY_STARTED));
        expect(hex(lib.HcsWaitForOperationResult(op, 0, null))).toBe(hex(HR.HCS_E_OPERATION_TIMEOUT));
        expect(lib.HcsWaitForOperationResult(op, 5000, null)).toBe(0);
        await sim.control.clearFaults();
        expect(lib.HcsEnumerateComputeSystems('{"Ids":["none"]}', op)).toBe(0);
        const out: [bigint | null] = [null];
        expect(lib.HcsWaitForOperationResult(op, 5000, out)).toBe(0);
        expect(takeString(out[0])).toBe("[]");
        // Each wait returns its own copy of the document.
        const again: [bigint | null] = [null];
        expect(lib.HcsWaitForOperationResult(op, 0, again)).toBe(0);
        expect(again[0]).not.toBe(out[0]);
        expect(takeString(again[0])).toBe("[]");
        lib.HcsCloseOperation(op);
    });
});

describe("event callbacks", () => {
    it("HcsEventSystemExited reports a terminate as ForcedExit with the callback's context", async () => {
        const { sys } = newSystem();
        events.length = 0;
        expect(hcsLib().HcsSetComputeSystemCallback(sys, 0, 0x42n, onEvent)).toBe(0);
        expect(start(sys).hr).toBe(0);
        expect(terminate(sys).hr).toBe(0);
        await eventually(() => events.length === 1, 5000, "the exit event");
        expect(events[0]).toMatchObject({ type: EVENT_SYSTEM_EXITED, context: 0x42n });
        expect(JSON.parse(events[0]!.data!)).toEqual({ Status: 0, ExitType: "ForcedExit" });
        await closeSystem(sys);
    });

    it("a kill through the control interface is an UnexpectedExit, seen by every handle with a callback", async () => {
        const { id, sys } = newSystem();
        const lib = hcsLib();
        const second: [bigint | null] = [null];
        expect(lib.HcsOpenComputeSystem(id, 0x10000000, second)).toBe(0);
        events.length = 0;
        expect(lib.HcsSetComputeSystemCallback(sys, 0, 1n, onEvent)).toBe(0);
        expect(lib.HcsSetComputeSystemCallback(second[0], 0, 2n, onEvent)).toBe(0);
        start(sys);
        await sim.control.kill(id);
        await eventually(() => events.length === 2, 5000, "two exit events");
        expect(events.map((e) => e.context).sort()).toEqual([1n, 2n]);
        for (const e of events) expect(JSON.parse(e.data!)).toEqual({ Status: HR.HCS_E_UNEXPECTED_EXIT, ExitType: "UnexpectedExit" });
        await closeSystem(sys);
        await closeSystem(second[0]);
        // Stopped and no handle left: gone.
        expect((await sim.control.state()).systems.find((s) => s.id === id)).toBeUndefined();
    });

    it("a second registration on a handle is HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET; bad arguments are rejected", async () => {
        const { sys } = newSystem();
        const lib = hcsLib();
        expect(lib.HcsSetComputeSystemCallback(sys, 0, null, onEvent)).toBe(0);
        expect(hex(lib.HcsSetComputeSystemCallback(sys, 0, null, onEvent))).toBe(hex(HR.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET));
        expect(hex(lib.HcsSetComputeSystemCallback(sys, 0, null, null))).toBe(hex(HR.E_INVALIDARG));
        expect(hex(lib.HcsSetComputeSystemCallback(sys, 2, null, onEvent))).toBe(hex(HR.E_INVALIDARG));
        await closeSystem(sys);
    });

    it("closing the handle unregisters its callback: no event after close returns", async () => {
        const { id, sys } = newSystem();
        const lib = hcsLib();
        const other: [bigint | null] = [null];
        expect(lib.HcsOpenComputeSystem(id, 0x10000000, other)).toBe(0);
        events.length = 0;
        expect(lib.HcsSetComputeSystemCallback(sys, 0, 7n, onEvent)).toBe(0);
        await closeSystem(sys);
        expect(terminate(other[0]).hr).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
        expect(events).toHaveLength(0);
        await closeSystem(other[0]);
    });

    it("with HcsEventOptionEnableOperationCallbacks, an operation without a callback completes through the system callback", async () => {
        const { sys } = newSystem();
        const lib = hcsLib();
        events.length = 0;
        expect(lib.HcsSetComputeSystemCallback(sys, 1, 9n, onEvent)).toBe(0);
        const withOwn = lib.HcsCreateOperation(null, onComplete);
        expect(hex(lib.HcsStartComputeSystem(sys, withOwn, null))).toBe(hex(HR.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET));
        lib.HcsCloseOperation(withOwn);
        const op = lib.HcsCreateOperation(null, null);
        expect(lib.HcsStartComputeSystem(sys, op, null)).toBe(0);
        await eventually(() => events.length === 1, 5000, "the operation event");
        expect(events[0]).toMatchObject({ type: EVENT_OPERATION_CALLBACK, operation: op, context: 9n, data: null });
        expect(lib.HcsWaitForOperationResult(op, 0, null)).toBe(0);
        lib.HcsCloseOperation(op);
        terminate(sys);
        await closeSystem(sys);
    });

    it("a lost connection fails in-flight operations with HCS_E_SERVICE_DISCONNECT and sends HcsEventServiceDisconnect", async () => {
        const { sys } = newSystem();
        const lib = hcsLib();
        events.length = 0;
        completions.length = 0;
        expect(lib.HcsSetComputeSystemCallback(sys, 0, 5n, onEvent)).toBe(0);
        await sim.control.hang("HcsStartComputeSystem");
        const op = lib.HcsCreateOperation(0x77n, onComplete);
        expect(lib.HcsStartComputeSystem(sys, op, null)).toBe(0);
        lib.HcsSimResetConnection();
        await eventually(() => events.length === 1 && completions.length === 1, 5000, "disconnect event and completion");
        expect(events[0]).toMatchObject({ type: EVENT_SERVICE_DISCONNECT, context: 5n, data: null });
        expect(hex(completions[0]!.hr)).toBe(hex(HR.HCS_E_SERVICE_DISCONNECT));
        expect(JSON.parse(completions[0]!.doc!)).toMatchObject({ Error: HR.HCS_E_SERVICE_DISCONNECT, ErrorMessage: expect.stringContaining("lost") });
        // The old handle belongs to the old connection.
        expect(hex(start(sys).hr)).toBe(hex(HR.E_HANDLE));
        await closeSystem(sys);
        await sim.control.clearFaults();
        connectTo(sim);
    });

    it("leaves nothing behind", async () => {
        await eventually(() => libraryStats().queuedCallbacks === 0, 2000, "the callback queue to drain");
        expectNoLeaks();
    });
});
