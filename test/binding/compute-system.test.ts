/**
 * The typed binding (ComputeSystem, HcsClient) against the simulator, through the real koffi path:
 * lifecycle, every error path, and the shape of HcsError.
 */
import { randomUUID } from "node:crypto";
import { HRESULTS, HcsError, isAccessDenied, isAlreadyStopped, isInvalidState, isNotFound } from "../../provider/src/hcs";
import { libraryCounters, noLeaks, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost();
});

afterAll(async () => {
    await host?.stop();
});

async function createVm(id = randomUUID()) {
    const document = await prepareVm(host.sim.root, host.client, id);
    return host.client.createComputeSystem(id, document);
}

describe("ComputeSystem", () => {
    it("creates, starts, pauses, resumes and shuts down a system, each state visible in properties", async () => {
        const system = await createVm();
        try {
            const created = await system.properties();
            expect(created.State).toBe("Created");
            expect(created.RuntimeId).toMatch(/^[0-9a-f-]{36}$/);
            expect(created.SystemType).toBe("VirtualMachine");
            await system.start();
            expect((await system.properties()).State).toBe("Running");
            await system.pause();
            expect((await system.properties()).State).toBe("Paused");
            await system.resume();
            expect((await system.properties()).State).toBe("Running");
            await system.shutdown();
            expect((await system.properties()).State).toBe("Stopped");
        } finally {
            await system.close();
        }
    });

    it("answers Memory and TerminateOnLastHandleClosed property queries", async () => {
        const system = await createVm();
        try {
            const properties = await system.properties(["Memory", "TerminateOnLastHandleClosed"]);
            expect(properties.Memory?.VirtualMachineMemory?.AssignedMemory).toBe(1024 * 256);
            expect(properties.TerminateOnLastHandleClosed).toBe(false);
        } finally {
            await system.terminate();
            await system.close();
        }
    });

    it("refuses an invalid transition with HCS_E_INVALID_STATE (isInvalidState)", async () => {
        const system = await createVm();
        try {
            const error = await system.pause().catch((e: unknown) => e);
            expect(error).toBeInstanceOf(HcsError);
            expect(isInvalidState(error)).toBe(true);
            expect((error as HcsError).message).toContain("HcsPauseComputeSystem");
            expect((error as HcsError).message).toContain(system.id);
            expect((error as HcsError).message).toContain("HCS_E_INVALID_STATE (0x80370105)");
        } finally {
            await system.terminate();
            await system.close();
        }
    });

    it("reports a second shutdown as already stopped (isAlreadyStopped)", async () => {
        const system = await createVm();
        try {
            await system.start();
            await system.terminate();
            const error = await system.shutdown().catch((e: unknown) => e);
            expect(isAlreadyStopped(error)).toBe(true);
            expect((error as HcsError).hresultName).toBe("HCS_E_SYSTEM_ALREADY_STOPPED");
        } finally {
            await system.close();
        }
    });

    it("reports an unknown ID as not found (isNotFound) on open", async () => {
        const id = `missing-${randomUUID()}`;
        const error = await host.client.openComputeSystem(id).catch((e: unknown) => e);
        expect(isNotFound(error)).toBe(true);
        expect((error as HcsError).operation).toBe("HcsOpenComputeSystem");
        expect((error as HcsError).computeSystemId).toBe(id);
        expect((error as HcsError).hresult).toBe(HRESULTS.HCS_E_SYSTEM_NOT_FOUND);
    });

    it("refuses a duplicate ID with HCS_E_SYSTEM_ALREADY_EXISTS and leaves no handle open", async () => {
        const system = await createVm();
        const before = libraryCounters(host.client).liveSystemHandles;
        try {
            const error = await host.client.createComputeSystem(system.id, await prepareVm(host.sim.root, host.client, system.id)).catch((e: unknown) => e);
            expect((error as HcsError).hresult).toBe(HRESULTS.HCS_E_SYSTEM_ALREADY_EXISTS);
            expect(libraryCounters(host.client).liveSystemHandles).toBe(before);
        } finally {
            await system.terminate();
            await system.close();
        }
    });

    it("turns an invalid document into HCS_E_INVALID_JSON whose events name the field", async () => {
        const id = randomUUID();
        const document = JSON.parse(await prepareVm(host.sim.root, host.client, id)) as { VirtualMachine: { ComputeTopology: { Memory: Record<string, unknown> } } };
        document.VirtualMachine.ComputeTopology.Memory.SizeInMb = 1024;
        const error = await host.client.createComputeSystem(id, JSON.stringify(document)).catch((e: unknown) => e) as HcsError;
        expect(error.hresult).toBe(HRESULTS.HCS_E_INVALID_JSON);
        expect(error.events.length).toBeGreaterThan(0);
        expect(error.message).toContain("SizeInMb");
        expect(error.message).toContain("[Event Detail:");
    });

    it("fails create with access denied when the scratch disk was never granted to the VM (isAccessDenied)", async () => {
        const id = randomUUID();
        const document = await prepareVm(host.sim.root, host.client, id);
        await host.client.revokeVmAccess(id, `C:\\uvms\\${id}\\sandbox.vhdx`);
        const error = await host.client.createComputeSystem(id, document).catch((e: unknown) => e) as HcsError;
        expect(isAccessDenied(error)).toBe(true);
        expect(error.message).toContain("sandbox.vhdx");
    });

    it("refuses every call after close with hcsshim's 'handle has already been closed'", async () => {
        const system = await createVm();
        await system.close();
        await system.close(); // idempotent
        const error = await system.start().catch((e: unknown) => e) as HcsError;
        expect(error.message).toContain("the handle has already been closed");
        const reopened = await host.client.openComputeSystem(system.id);
        await reopened.terminate();
        await reopened.close();
    });

    it("enumerates with an Owners filter", async () => {
        const owner = `owner-${randomUUID()}`;
        const id = randomUUID();
        const document = JSON.parse(await prepareVm(host.sim.root, host.client, id)) as { Owner: string };
        document.Owner = owner;
        const system = await host.client.createComputeSystem(id, JSON.stringify(document));
        try {
            const listed = await host.client.enumerateComputeSystems({ Owners: [owner] });
            expect(listed.map((p) => p.Id)).toEqual([id]);
            expect(listed[0]?.Owner).toBe(owner);
        } finally {
            await system.terminate();
            await system.close();
        }
    });

    it("reads service properties: processor topology of the simulated host", async () => {
        const [topology] = await host.client.serviceProperties(["ProcessorTopology"]) as [{ LogicalProcessorCount: number }];
        expect(topology.LogicalProcessorCount).toBe(8);
    });

    it("frees every result string and closes every operation and handle", async () => {
        for (let i = 0; i < 5; i++) {
            const system = await createVm();
            await system.properties(["Memory"]);
            await system.terminate();
            await system.close();
        }
        await host.client.enumerateComputeSystems();
        await host.client.openComputeSystem("nope").catch(() => undefined);
        // Operations are closed on the next turn of the event loop after their completion.
        await new Promise((resolve) => setImmediate(resolve));
        expect(libraryCounters(host.client)).toEqual(noLeaks());
        expect(host.client.runner.pendingCount).toBe(0);
    });
});
