/**
 * Many operations at once through one completion callback: 50 from this process, and bursts from
 * several processes at the same time, with every string, operation and handle released after.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { eventually, libraryCounters, noLeaks, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

const run = promisify(execFile);
const CLIENT = path.join(__dirname, "fixtures", "client.js");

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost();
});

afterAll(async () => {
    await host?.stop();
});

describe("concurrent operations", () => {
    it("runs 50 creates and 50 starts concurrently from one process", async () => {
        const ids = Array.from({ length: 50 }, () => randomUUID());
        const documents = await Promise.all(ids.map((id) => prepareVm(host.sim.root, host.client, id)));
        const systems = await Promise.all(ids.map((id, i) => host.client.createComputeSystem(id, documents[i]!)));
        await Promise.all(systems.map((s) => s.start()));
        const states = await Promise.all(systems.map((s) => s.properties().then((p) => p.State)));
        expect(states).toEqual(ids.map(() => "Running"));
        await Promise.all(systems.map((s) => s.terminate()));
        await Promise.all(systems.map((s) => s.close()));
        await new Promise((resolve) => setImmediate(resolve));
        expect(libraryCounters(host.client)).toEqual(noLeaks());
    });

    it("serves bursts of 50 operations from three processes at the same time", async () => {
        const id = randomUUID();
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
        try {
            const env = { ...process.env, ...host.sim.env, PULUMI_HCS_LOG_LEVEL: "warn" };
            const outputs = await Promise.all([1, 2, 3].map(() => run(process.execPath, [CLIENT, "burst", id, "50"], { env })));
            const results = outputs.map((o) => JSON.parse(o.stdout) as Record<string, number>);
            expect(results).toEqual([1, 2, 3].map(() => ({ ok: 50, ...noLeaks() })));
            // The three client processes are gone, and with them their connections and handles. The
            // service learns it when their sockets close, which the exit does not wait for (under Wine
            // the wineserver closes them after the parent has seen the exit), hence the wait.
            await eventually(async () => {
                const state = await host.sim.control.state();
                expect(state.connections.filter((c) => c.pid !== process.pid)).toEqual([]);
            });
        } finally {
            await system.terminate();
            await system.close();
        }
    });
});
