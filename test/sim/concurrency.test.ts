// Many operations in flight at once, calls from several threads, UTF-16 round trips, no leaks.
import koffi from "koffi";
import type { RunningSimulator } from "../../provider/sim/service/launch";
import {
    closeSystem, COMPLETION, createSystem, enumerate, errorOf, hcsLib, hex, libraryStats, props, serviceProperties, takeString, terminate,
} from "./helpers/hcs-lib";
import { eventually, expectNoLeaks, makeWindowsDir, newId, prepareVmFiles, stopSimulator, useSimulator, vmDocument } from "./helpers/fixtures";

let sim: RunningSimulator;
const keepAlive = setInterval(() => undefined, 1 << 30);

beforeAll(async () => {
    sim = await useSimulator();
});

afterAll(async () => {
    clearInterval(keepAlive);
    await stopSimulator(sim);
});

describe("concurrency", () => {
    it("50 creates in flight at once each complete through one registered callback, then 50 property queries", async () => {
        const lib = hcsLib();
        const results = new Map<bigint, { hr: number; doc: string | undefined }>();
        const onComplete = koffi.register((op: bigint) => {
            const out: [bigint | null] = [null];
            const hr = lib.HcsWaitForOperationResult(op, 0, out);
            results.set(op, { hr, doc: takeString(out[0]) });
        }, koffi.pointer(COMPLETION));
        try {
            const ids = Array.from({ length: 50 }, () => newId("conc"));
            for (const id of ids) prepareVmFiles(sim.root, id);
            await sim.control.latency("HcsCreateComputeSystem", 100);
            const calls = ids.map((id) => {
                const op = lib.HcsCreateOperation(null, onComplete);
                const sys: [bigint | null] = [null];
                expect(lib.HcsCreateComputeSystem(id, JSON.stringify(vmDocument(id, { processors: 1 })), op, null, sys)).toBe(0);
                return { id, op, sys: sys[0]! };
            });
            expect(libraryStats().inFlightOperations).toBe(50);
            await eventually(() => results.size === 50, 10000, "50 create completions");
            await sim.control.clearFaults();
            for (const c of calls) expect(hex(results.get(c.op)!.hr)).toBe(hex(0));
            expect(new Set(calls.map((c) => c.sys)).size).toBe(50);

            results.clear();
            for (const c of calls) expect(lib.HcsGetComputeSystemProperties(c.sys, c.op, null)).toBe(0); // reusing each completed operation
            await eventually(() => results.size === 50, 10000, "50 property completions");
            for (const c of calls) expect(JSON.parse(results.get(c.op)!.doc!).Id).toBe(c.id);

            for (const c of calls) {
                lib.HcsCloseOperation(c.op);
                terminate(c.sys);
                await closeSystem(c.sys);
            }
        } finally {
            koffi.unregister(onComplete);
        }
    });

    it("synchronous calls from 50 concurrent threads (koffi .async) all get their own answer", async () => {
        const lib = hcsLib();
        const queries = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? ["Basic"] : ["ProcessorTopology", "Simulator"]));
        const answers = await Promise.all(queries.map((types) => new Promise<{ hr: number; doc: string | undefined }>((resolve, reject) => {
            const out: [bigint | null] = [null];
            lib.async.HcsGetServiceProperties!(JSON.stringify({ PropertyTypes: types }), out, (err: unknown, hr: number) => {
                if (err) reject(err);
                else resolve({ hr, doc: takeString(out[0]) });
            });
        })));
        answers.forEach((a, i) => {
            expect(a.hr).toBe(0);
            expect(JSON.parse(a.doc!).Properties).toHaveLength(queries[i]!.length);
        });
    });
});

describe("UTF-16 round trips", () => {
    it("non-ASCII and surrogate pairs survive the trip in IDs, owners and documents", async () => {
        const id = `vm-ünïcødé-日本-😀-${newId("x")}`;
        const owner = "pulumi-hcs/€-𝄞-🚀-עברית";
        prepareVmFiles(sim.root, id);
        const c = createSystem(id, vmDocument(id, { owner }));
        expect(hex(c.hr)).toBe(hex(0));
        const p = props(c.sys);
        expect(p.Id).toBe(id);
        expect(p.Owner).toBe(owner);
        const listed = JSON.parse(enumerate({ Owners: [owner] }).doc!) as { Id: string }[];
        expect(listed.map((s) => s.Id)).toEqual([id]);
        terminate(c.sys);
        await closeSystem(c.sys);
    });

    it("non-ASCII Windows paths map to the file system and come back in error documents", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        makeWindowsDir(sim.root, "C:\\données\\共有");
        const doc = vmDocument(id);
        doc.VirtualMachine.Devices.VirtualSmb.Shares.push({ Name: "extra", Path: "C:\\données\\共有" });
        const ok = createSystem(id, doc);
        expect(hex(ok.hr)).toBe(hex(0));
        await closeSystem(ok.sys);
        const id2 = newId();
        prepareVmFiles(sim.root, id2);
        const doc2 = vmDocument(id2);
        doc2.VirtualMachine.Devices.VirtualSmb.Shares.push({ Name: "extra", Path: "C:\\données\\存在しない-🙈" });
        const bad = createSystem(id2, doc2);
        expect(errorOf(bad).ErrorMessage).toContain("C:\\données\\存在しない-🙈");
        await closeSystem(bad.sys);
    });

    it("a 1 MB document goes through and comes back whole", async () => {
        const id = newId();
        prepareVmFiles(sim.root, id);
        // 2^18 non-BMP characters: 1 MiB of UTF-16, 1 MiB of UTF-8.
        const owner = "😀".repeat(1 << 18);
        const c = createSystem(id, vmDocument(id, { owner }));
        expect(hex(c.hr)).toBe(hex(0));
        const p = props(c.sys, ["Simulator"]);
        expect(p.Owner.length).toBe(owner.length);
        expect(p.Owner === owner).toBe(true);
        expect(p.Simulator.Configuration.Owner === owner).toBe(true);
        await closeSystem(c.sys);
        // A 1 MB document that fails comes back whole in the error document too.
        const big = "é".repeat(1 << 19);
        const r = serviceProperties(`{"PropertyTypes":["${big}"]}`);
        expect(errorOf(r).ErrorMessage).toContain(big);
    });

    it("lone surrogates in a string argument become U+FFFD rather than corrupting the stream", async () => {
        // (Inside JSON, JSON.stringify escapes a lone surrogate as \ud800, which passes through untouched.)
        const raw = `vm-\uD800-lone-${newId("x")}`;
        const id = raw.replace("\uD800", "\uFFFD");
        prepareVmFiles(sim.root, id);
        const c = createSystem(raw, vmDocument(id));
        try {
            expect(hex(c.hr)).toBe(hex(0));
            expect(props(c.sys).Id).toBe(id);
        } finally {
            await closeSystem(c.sys);
        }
    });
});

describe("leaks", () => {
    it("the library's strings, operations and handles and the service's handles are back to zero", async () => {
        await eventually(async () => (await sim.control.state()).connections.every((c) => c.handles.length === 0), 5000, "service handles to close");
        await eventually(() => libraryStats().queuedCallbacks === 0, 2000, "callbacks to drain");
        expectNoLeaks();
    });
});
