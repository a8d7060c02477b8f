/**
 * Every computecore call the binding makes, failed on purpose by the simulator's fault injection:
 * each failure surfaces as one HcsError with the operation, the ID, the HRESULT name and hex, and
 * HCS's error events; a service that dies mid-operation and comes back is handled too.
 */
import { randomUUID } from "node:crypto";
import { type ComputeSystem, HRESULTS, type HcsError, isServiceUnavailable } from "../../provider/src/hcs";
import { eventually, libraryCounters, startTestHost, type TestHost } from "../support/simulated-host";
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

async function createVm(): Promise<ComputeSystem> {
    const id = randomUUID();
    return host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
}

const INJECTED = 0x80370102; // HCS_E_HYPERV_NOT_INSTALLED: a code no real path here produces

type Call = (system: ComputeSystem) => Promise<unknown>;
const SYSTEM_CALLS: [string, Call][] = [
    ["HcsStartComputeSystem", (s) => s.start()],
    ["HcsGetComputeSystemProperties", (s) => s.properties()],
    ["HcsModifyComputeSystem", (s) => s.modify({ ResourcePath: "VirtualMachine/ComputeTopology/Processor/Limits", Settings: { Limit: 50000 } })],
    ["HcsPauseComputeSystem", (s) => s.pause()],
    ["HcsShutDownComputeSystem", (s) => s.shutdown()],
    ["HcsTerminateComputeSystem", (s) => s.terminate()],
];

describe("injected failures", () => {
    it.each(SYSTEM_CALLS)("%s: the failure carries operation, ID, HRESULT name and hex", async (fn, call) => {
        const system = await createVm();
        try {
            await host.sim.control.failNext(fn, INJECTED);
            const error = await call(system).catch((e: unknown) => e) as HcsError;
            expect(error.name).toBe("HcsError");
            expect(error.operation).toBe(fn);
            expect(error.computeSystemId).toBe(system.id);
            expect(error.hresult).toBe(INJECTED);
            expect(error.message).toContain(`${fn} '${system.id}' failed: HCS_E_HYPERV_NOT_INSTALLED (0x80370102)`);
        } finally {
            await system.terminate().catch(() => undefined);
            await system.close();
        }
    });

    it("HcsCreateComputeSystem: the failure closes the handle computecore already gave out", async () => {
        const id = randomUUID();
        const document = await prepareVm(host.sim.root, host.client, id);
        await host.sim.control.failNext("HcsCreateComputeSystem", INJECTED);
        const error = await host.client.createComputeSystem(id, document).catch((e: unknown) => e) as HcsError;
        expect(error.hresult).toBe(INJECTED);
        expect(error.events.length).toBeGreaterThan(0);
        await new Promise((resolve) => setImmediate(resolve));
        expect(libraryCounters(host.client).liveSystemHandles).toBe(0);
    });

    it.each([
        ["HcsOpenComputeSystem", () => host.client.openComputeSystem("any")],
        ["HcsEnumerateComputeSystems", () => host.client.enumerateComputeSystems()],
        ["HcsGetServiceProperties", () => host.client.serviceProperties(["ProcessorTopology"])],
        ["HcsGrantVmAccess", () => host.client.grantVmAccess("any", "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx")],
        ["HcsRevokeVmAccess", () => host.client.revokeVmAccess("any", "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx")],
        ["HcsGrantVmGroupAccess", () => host.client.grantVmGroupAccess("C:\\layers\\base")],
        ["HcsRevokeVmGroupAccess", () => host.client.revokeVmGroupAccess("C:\\layers\\base")],
    ] as [string, () => Promise<unknown>][])("%s: the failure is an HcsError with the HRESULT", async (fn, call) => {
        await host.sim.control.failNext(fn, INJECTED);
        const error = await call().catch((e: unknown) => e) as HcsError;
        expect(error.operation).toBe(fn);
        expect(error.hresultName).toBe("HCS_E_HYPERV_NOT_INSTALLED");
    });

    it("fails the Nth call only, and only as often as asked", async () => {
        await host.sim.control.failNext("HcsEnumerateComputeSystems", INJECTED, { nth: 2, times: 1 });
        await expect(host.client.enumerateComputeSystems()).resolves.toBeInstanceOf(Array);
        await expect(host.client.enumerateComputeSystems()).rejects.toMatchObject({ hresult: INJECTED });
        await expect(host.client.enumerateComputeSystems()).resolves.toBeInstanceOf(Array);
    });
});

describe("a service that goes away", () => {
    it("fails an in-flight operation with HCS_E_SERVICE_DISCONNECT, refuses calls while down, reconnects after restart", async () => {
        const system = await createVm();
        await host.sim.control.hang("HcsStartComputeSystem");
        const pending = system.start().catch((e: unknown) => e);
        await eventually(async () => expect((await host.sim.control.state()).calls.HcsStartComputeSystem).toBeGreaterThan(0));
        await host.sim.crash();

        const inFlight = await pending as HcsError;
        expect(inFlight.hresult).toBe(HRESULTS.HCS_E_SERVICE_DISCONNECT);
        expect(isServiceUnavailable(inFlight)).toBe(true);

        const whileDown = await host.client.enumerateComputeSystems().catch((e: unknown) => e) as HcsError;
        expect(whileDown.hresult).toBe(HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE);

        await host.sim.restart();
        // The system survived the restart (the host stays up; only the service restarted) ...
        const reopened = await host.client.openComputeSystem(system.id);
        expect((await reopened.properties()).State).toBe("Created");
        // ... but the old handle belonged to the dead connection.
        const stale = await system.properties().catch((e: unknown) => e) as HcsError;
        expect(stale.hresult).toBe(HRESULTS.E_HANDLE);
        await reopened.terminate();
        await reopened.close();
        await system.close();
    });
});
