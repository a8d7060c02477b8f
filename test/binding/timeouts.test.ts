/**
 * Waits: a hung operation times out with an error that names the timeout, the event loop stays free
 * while HCS works, and an operation that completes after its wait gave up is still closed.
 */
import { randomUUID } from "node:crypto";
import { HRESULTS, type HcsError, isTimeout } from "../../provider/src/hcs";
import { eventually, libraryCounters, noLeaks, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost();
});

afterEach(async () => {
    await host.sim.control.clearFaults();
});

afterAll(async () => {
    await host?.stop();
});

async function createVm() {
    const id = randomUUID();
    return host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
}

describe("operation timeouts", () => {
    it("rejects a start that never completes with HCS_E_OPERATION_TIMEOUT naming the timeout", async () => {
        const system = await createVm();
        await host.sim.control.hang("HcsStartComputeSystem");
        const error = await system.start({ timeoutMs: 300 }).catch((e: unknown) => e) as HcsError;
        expect(isTimeout(error)).toBe(true);
        expect(error.hresult).toBe(HRESULTS.HCS_E_OPERATION_TIMEOUT);
        expect(error.message).toContain("did not complete within 300 ms");
        expect(host.client.runner.abandonedCount).toBe(1);

        // When HCS finally completes the abandoned operation, it is closed: nothing leaks.
        await host.sim.control.clearFaults();
        await eventually(() => expect(host.client.runner.abandonedCount).toBe(0));
        await system.terminate();
        await system.close();
        await eventually(() => expect(libraryCounters(host.client)).toEqual(noLeaks()));
    });

    it("names the environment variable that raises a default timeout", async () => {
        const system = await createVm();
        await host.sim.control.hang("HcsGetComputeSystemProperties");
        const previous = process.env.PULUMI_HCS_TIMEOUT_PROPERTIES;
        process.env.PULUMI_HCS_TIMEOUT_PROPERTIES = "1";
        try {
            const error = await system.properties().catch((e: unknown) => e) as HcsError;
            expect(error.message).toContain("did not complete within 1000 ms");
            expect(error.message).toContain("PULUMI_HCS_TIMEOUT_PROPERTIES");
        } finally {
            if (previous === undefined) delete process.env.PULUMI_HCS_TIMEOUT_PROPERTIES;
            else process.env.PULUMI_HCS_TIMEOUT_PROPERTIES = previous;
            await host.sim.control.clearFaults();
            await system.terminate();
            await system.close();
        }
    });

    it("keeps the event loop free while an operation is pending", async () => {
        const system = await createVm();
        await host.sim.control.latency("HcsStartComputeSystem", 400);
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 10);
        try {
            await system.start();
        } finally {
            clearInterval(ticker);
        }
        // 400 ms of latency with a 10 ms ticker: a blocked loop would have ticked at most once.
        expect(ticks).toBeGreaterThanOrEqual(20);
        await system.terminate();
        await system.close();
    });

    it("keeps the event loop free during synchronous computecore calls (they run on the thread pool)", async () => {
        await host.sim.control.latency("HcsOpenComputeSystem", 300);
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 10);
        try {
            await host.client.openComputeSystem("absent").catch(() => undefined);
        } finally {
            clearInterval(ticker);
        }
        expect(ticks).toBeGreaterThanOrEqual(15);
    });
});
