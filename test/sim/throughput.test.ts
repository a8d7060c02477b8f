// Calls per second through koffi and the simulator, for the report and to catch gross regressions.
// The bounds are loose on purpose (2 shared cores); the printed numbers are the measurement.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { closeSystem, createSystem, hcsLib, hex, runOp, takeString } from "./helpers/hcs-lib";
import { expectNoLeaks, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    await stopSimulator(sim);
});

function rate(n: number, run: () => void): number {
    for (let i = 0; i < 50; i++) run(); // warm up
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return Math.round(n / seconds);
}

describe("throughput", () => {
    it("an operation cycle (create op, HcsGetComputeSystemProperties, wait, decode, LocalFree, close op)", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(0));
        const lib = hcsLib();
        const perSecond = rate(2000, () => {
            const r = runOp((op) => lib.HcsGetComputeSystemProperties(c.sys, op, null));
            if (r.hr !== 0) throw new Error(hex(r.hr));
        });
        process.stderr.write(`simulator throughput: op cycle (HcsGetComputeSystemProperties) ${perSecond} calls/s\n`);
        expect(perSecond).toBeGreaterThan(200);
        await closeSystem(c.sys);
    });

    it("HcsGetServiceProperties (synchronous) with decode and LocalFree", () => {
        const lib = hcsLib();
        const query = JSON.stringify({ PropertyTypes: ["ProcessorTopology"] });
        const perSecond = rate(2000, () => {
            const out: [bigint | null] = [null];
            const hr = lib.HcsGetServiceProperties(query, out);
            if (hr !== 0) throw new Error(hex(hr));
            takeString(out[0]);
        });
        process.stderr.write(`simulator throughput: HcsGetServiceProperties ${perSecond} calls/s\n`);
        expect(perSecond).toBeGreaterThan(200);
        expectNoLeaks();
    });
});
