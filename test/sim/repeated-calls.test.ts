// Thousands of calls through koffi and the simulator's library in a row: each succeeds, and none
// leaves a string, an operation or a handle behind. How many a second is the bench's business
// (`npm run bench`, bench/src/binding-throughput.ts and its floors), not a test's.
import type { RunningSimulator } from "../../provider/sim/service/launch";
import { closeSystem, createSystem, hcsLib, hex, runOp, takeString } from "./helpers/hcs-lib";
import { expectNoLeaks, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

const CALLS = 2000;

let sim: RunningSimulator;

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    await stopSimulator(sim);
});

describe("repeated calls", () => {
    it(`${CALLS} operation cycles (create op, HcsGetComputeSystemProperties, wait, decode, LocalFree, close op) all succeed and leak nothing`, async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        const c = createSystem(id, vmDocument(id));
        expect(hex(c.hr)).toBe(hex(0));
        const lib = hcsLib();
        const failures: string[] = [];
        for (let i = 0; i < CALLS; i++) {
            const r = runOp((op) => lib.HcsGetComputeSystemProperties(c.sys, op, null));
            if (r.hr !== 0) failures.push(hex(r.hr));
            else if ((JSON.parse(r.doc!) as { Id: string }).Id !== id) failures.push(`properties of another system: ${r.doc}`);
        }
        expect(failures).toEqual([]);
        await closeSystem(c.sys);
        expectNoLeaks();
    });

    it(`${CALLS} synchronous HcsGetServiceProperties calls, each decoded and freed with LocalFree, leak nothing`, () => {
        const lib = hcsLib();
        const query = JSON.stringify({ PropertyTypes: ["ProcessorTopology"] });
        const failures: string[] = [];
        for (let i = 0; i < CALLS; i++) {
            const out: [bigint | null] = [null];
            const hr = lib.HcsGetServiceProperties(query, out);
            const text = takeString(out[0]);
            if (hr !== 0) failures.push(hex(hr));
            else if (!text?.includes("LogicalProcessorCount")) failures.push(`unexpected answer: ${text}`);
        }
        expect(failures).toEqual([]);
        expectNoLeaks();
    });
});
