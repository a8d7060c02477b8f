// State outlives processes: a client's handles close when it exits, and the host survives a
// service restart under the documented policy.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { loadHost } from "../../provider/sim/service/host-store";
import {
    closeSystem, createSystem, errorOf, hcsLib, hex, HR, modify, openSystem, pause, props, runOpAsync, serviceProperties, start, terminate,
} from "./helpers/hcs-lib";
import { eventually, expectNoLeaks, newId, prepareVmFiles, scratchPath, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    await stopSimulator(sim);
});

function runFixture(id: string, terminateOnLastHandleClosed: boolean): void {
    const result = spawnSync(process.execPath, [
        path.join(__dirname, "fixtures", "create-and-exit.js"), sim.libraryPath, id, scratchPath(id), String(terminateOnLastHandleClosed),
    ], { env: { ...process.env, ...sim.env }, encoding: "utf8", timeout: 20000 });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: "created\n", stderr: "" });
}

describe("handles close when their process exits", () => {
    it("a system with ShouldTerminateOnLastHandleClosed vanishes when its creator exits", async () => {
        const id = newId("fixture");
        prepareVmFiles(sim.root, id, { grant: false });
        runFixture(id, true);
        await eventually(async () => !(await sim.control.state()).systems.some((s) => s.id === id), 5000, "the system to vanish");
        expect(hex(openSystem(id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
    });

    it("without it the system survives, running, with no handle open", async () => {
        const id = newId("fixture");
        prepareVmFiles(sim.root, id, { grant: false });
        runFixture(id, false);
        await eventually(async () => (await sim.control.state()).connections.every((c) => c.pid === process.pid), 5000, "the fixture's connection to close");
        const entry = (await sim.control.state()).systems.find((s) => s.id === id);
        expect(entry).toMatchObject({ id, state: "Running", handles: 0, owner: "fixture" });
        const o = openSystem(id);
        expect(o.hr).toBe(0);
        expect(props(o.sys).State).toBe("Running");
        expect(terminate(o.sys).hr).toBe(0);
        await closeSystem(o.sys);
    });
});

describe("state on disk", () => {
    // What a service starting on the root would read: state.json and the journal after it.
    const onDisk = () => loadHost(sim.root).systems;

    it("holds a call's change by the time the call returns, also when calls share one write", async () => {
        const ids = [newId(), newId(), newId()];
        for (const id of ids) prepareVmFiles(sim.root, id);
        // Three creates in flight at once: their replies wait for the write that covers them.
        const handles = ids.map((): [bigint | null] => [null]);
        const results = await Promise.all(ids.map((id, i) =>
            runOpAsync((op) => hcsLib().HcsCreateComputeSystem(id, JSON.stringify(vmDocument(id)), op, null, handles[i]!))));
        expect(results.map((r) => hex(r.hr))).toEqual(ids.map(() => hex(0)));
        expect(onDisk().filter((s) => ids.includes(s.id)).map((s) => s.state)).toEqual(["Created", "Created", "Created"]);
        for (const [i, id] of ids.entries()) {
            const sys = handles[i]![0];
            expect(terminate(sys).hr).toBe(0);
            expect(onDisk().find((s) => s.id === id)?.state).toBe("Stopped");
            await closeSystem(sys);
        }
    });
});

describe("service restart", () => {
    it("keeps live systems and their changes, terminates terminate-on-close ones, removes stopped ones; handles are gone", async () => {
        const make = (opts: Parameters<typeof vmDocument>[1] = {}) => {
            const id = newId();
            prepareVmFiles(sim.root, id);
            const c = createSystem(id, vmDocument(id, opts));
            expect(hex(c.hr)).toBe(hex(0));
            return { id, sys: c.sys! };
        };
        const running = make({ memoryMB: 2048 });
        start(running.sys);
        expect(modify(running.sys, { ResourcePath: "VirtualMachine/ComputeTopology/Memory/SizeInMB", Settings: 1024 }).hr).toBe(0);
        const runtimeId = props(running.sys).RuntimeId as string;
        const paused = make();
        start(paused.sys);
        pause(paused.sys);
        const created = make();
        const onClose = make({ terminateOnLastHandleClosed: true });
        start(onClose.sys);
        const stopped = make();
        terminate(stopped.sys); // kept only by its handle

        await sim.restart();

        // Old handles belonged to the old connection.
        expect(hex(start(created.sys).hr)).toBe(hex(HR.E_HANDLE));
        for (const x of [running, paused, created, onClose, stopped]) await closeSystem(x.sys);

        // The library reconnects on its own.
        expect(serviceProperties({ PropertyTypes: ["Basic"] }).hr).toBe(0);
        const r = openSystem(running.id);
        expect(r.hr).toBe(0);
        const p = props(r.sys, ["Memory"]);
        expect(p).toMatchObject({ State: "Running", RuntimeId: runtimeId });
        expect(p.Memory.VirtualMachineMemory.AssignedMemory).toBe(1024 * 256);
        const pp = openSystem(paused.id);
        expect(props(pp.sys).State).toBe("Paused");
        const cc = openSystem(created.id);
        expect(props(cc.sys).State).toBe("Created");
        expect(hex(openSystem(onClose.id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        expect(hex(openSystem(stopped.id).hr)).toBe(hex(HR.HCS_E_SYSTEM_NOT_FOUND));
        // The duplicate-ID check sees the restored system.
        const dup = createSystem(running.id, vmDocument(running.id));
        expect(hex(dup.hr)).toBe(hex(HR.HCS_E_SYSTEM_ALREADY_EXISTS));
        expect(errorOf(dup).ErrorMessage).toContain(running.id);
        await closeSystem(dup.sys);
        for (const h of [r, pp, cc]) {
            terminate(h.sys);
            await closeSystem(h.sys);
        }
    });

    it("keeps grants across a restart", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id); // grants the scratch disk
        await sim.restart();
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(0));
        await closeSystem(c.sys);
        expectNoLeaks();
    });
});
