/**
 * Which host, not how to reach it (issue 11 item 5): a simulated host reports one host ID over its
 * socket and its TCP port and across restarts; check records it, create and update keep it as the
 * `hostId` output, diff takes another address of the same host as no change, and read and delete
 * find the VM's host at PULUMI_HCS_HOST or the state's `host` by that ID, refusing any other host.
 */
import { startSimulatorProcess, type RunningSimulator } from "../../provider/sim/service/launch";
import { DEFAULT_HOST_ENV, hostIdentityAt } from "../../provider/src/host/connect-host";
import { HOST_ID_KEY, inputsOf } from "../../provider/src/pulumi/property-bags";
import { expectStateHost } from "../../provider/src/pulumi/state-host";
import { type Bag, checked, createVm, leftovers, provider, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { isWindows } from "../../provider/src/platform";

// These tests reach one simulator by two addresses, its Unix socket and its TCP port. Windows
// processes have only the TCP one (the library refuses socket paths there), so on Windows the
// tests are reported as skipped; the engine suite (Linux) covers the same behaviour end to end.
const describeTwoAddresses = isWindows ? describe.skip : describe;

/** One simulator, reached over its Unix socket (`socketHost`) and its TCP port (`host.hostName`). */
let host: TestHost;
let socketHost: string;
/** Another simulated host (its own root), never this process's library host: only probed. */
let other: RunningSimulator;
/** An address nothing listens on, like the TCP port of a simulator that has since restarted elsewhere. */
const GONE = "sim:/nonexistent/pulumi-hcs-test/hcs.sock";

beforeAll(async () => {
    if (isWindows) return;
    host = await startTestHost({ tcp: true, logicalProcessors: 8 });
    socketHost = `sim:${host.sim.ready.socket}`;
    other = await startSimulatorProcess({ logicalProcessors: 8 });
});

afterAll(async () => {
    await other?.stop();
    await host?.stop();
});

afterEach(() => {
    delete process.env[DEFAULT_HOST_ENV];
});

/** Inputs for a VM on this simulator, reached at `address`. */
function argsAt(address: string, name: string, extra: Bag = {}): Bag {
    return { ...vmArgs(host, name, extra), host: address };
}

describeTwoAddresses("a simulated host's identity", () => {
    it("is the simulator's persisted host ID: one over its socket and its TCP port, kept across a restart", async () => {
        const { hostId } = await host.sim.control.state();
        expect(hostId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(await hostIdentityAt(socketHost)).toBe(`simulator:${hostId}`);
        expect(await hostIdentityAt(host.hostName)).toBe(`simulator:${hostId}`);
        expect((await other.control.state()).hostId).not.toBe(hostId);
        await host.sim.restart();
        expect((await host.sim.control.state()).hostId).toBe(hostId);
    });

    it("is recorded by check (__hostId) and kept by create as the hostId output", async () => {
        const { id, outs, inputs } = await createVm(argsAt(socketHost, "identity-create"));
        const expected = `simulator:${(await host.sim.control.state()).hostId}`;
        expect(inputs[HOST_ID_KEY]).toBe(expected);
        expect(outs).toMatchObject({ host: socketHost, hostId: expected });
        expect(outs[HOST_ID_KEY]).toBeUndefined();
        await provider.delete!(id, outs);
    });
});

describeTwoAddresses("diff and update through another address of the same host", () => {
    it("previews no change for the TCP address of the socket's simulator, and an update records the new address", async () => {
        const { id, outs } = await createVm(argsAt(socketHost, "identity-diff"));
        const overTcp = await checked({ ...inputsOf(outs), host: host.hostName }, outs);
        expect(await provider.diff!(id, outs, overTcp)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });

        const withLimit = await checked({ ...inputsOf(outs), host: host.hostName, processorLimit: 50000 }, outs);
        expect(await provider.diff!(id, outs, withLimit)).toMatchObject({ changes: true, replaces: [] });
        const updated = (await provider.update!(id, outs, withLimit)).outs as Bag;
        expect(updated).toMatchObject({ host: host.hostName, hostId: outs.hostId, processorLimit: 50000, runtimeId: outs.runtimeId });
        await provider.delete!(id, updated);
        expect((await leftovers(host, id, "C:\\uvms\\identity-diff")).systems).toEqual([]);
    });

    it("refuses an update whose address reaches another host than the state's", () => {
        const reached = { name: host.hostName, identity: "simulator:00000000-0000-4000-8000-000000000000" } as never;
        expect(() => expectStateHost(reached, { host: socketHost, hostId: "simulator:11111111-1111-4111-8111-111111111111" }, "update utility VM 'x'"))
            .toThrow("Cannot update utility VM 'x': it lives on host simulator:11111111-1111-4111-8111-111111111111, " +
                `but '${host.hostName}' now reaches host simulator:00000000-0000-4000-8000-000000000000`);
        expect(() => expectStateHost(reached, { host: socketHost }, "update")).not.toThrow();
    });
});

describeTwoAddresses("read and delete find the VM's host by its ID", () => {
    it("reach it at PULUMI_HCS_HOST when the state's address is gone", async () => {
        const { id, outs } = await createVm(argsAt(socketHost, "identity-moved"));
        const moved = { ...outs, host: GONE };
        process.env[DEFAULT_HOST_ENV] = host.hostName;
        expect((await provider.read!(id, moved)).props).toMatchObject({ state: "Running", host: GONE, hostId: outs.hostId });
        await provider.delete!(id, moved);
        expect(await leftovers(host, id, "C:\\uvms\\identity-moved")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("fall back to the state's address when PULUMI_HCS_HOST reaches another host", async () => {
        const { id, outs } = await createVm(argsAt(socketHost, "identity-fallback"));
        process.env[DEFAULT_HOST_ENV] = `sim:${other.ready.socket}`;
        expect((await provider.read!(id, outs)).props).toMatchObject({ state: "Running" });
        await provider.delete!(id, outs);
        expect((await leftovers(host, id, "C:\\uvms\\identity-fallback")).systems).toEqual([]);
    });

    it("refuse, naming each address and the host it reaches, when none reaches the VM's host", async () => {
        const { id, outs } = await createVm(argsAt(socketHost, "identity-lost"));
        const otherHost = `sim:${other.ready.socket}`;
        const otherId = `simulator:${(await other.control.state()).hostId}`;
        process.env[DEFAULT_HOST_ENV] = otherHost;
        const moved = { ...outs, host: GONE };
        const error = await provider.delete!(id, moved).catch((e: unknown) => e) as Error;
        expect(error.message).toContain(`Cannot delete utility VM '${id}': it lives on host ${String(outs.hostId)}, and no address given reaches that host: `);
        expect(error.message).toContain(`PULUMI_HCS_HOST '${otherHost}' reaches host ${otherId}`);
        expect(error.message).toContain(`the state's host '${GONE}' cannot be reached`);
        expect(error.message).toContain("Set PULUMI_HCS_HOST to an address of host");
        await expect(provider.read!(id, moved)).rejects.toThrow(`Cannot read utility VM '${id}': it lives on host ${String(outs.hostId)}`);
        // Nothing was done to the VM, on either host.
        expect((await leftovers(host, id, "C:\\uvms\\identity-lost")).systems).toEqual([`${id} Running`]);
        expect((await other.control.state()).systems).toEqual([]);
        delete process.env[DEFAULT_HOST_ENV];
        await provider.delete!(id, outs);
    });

    it("go by address for a state without hostId (written before host IDs), and a refresh records it", async () => {
        const { id, outs } = await createVm(argsAt(socketHost, "identity-old-state"));
        const { hostId, ...old } = outs;
        process.env[DEFAULT_HOST_ENV] = `sim:${other.ready.socket}`;
        expect((await provider.read!(id, old)).props).toMatchObject({ state: "Running", hostId });
        await provider.delete!(id, old);
        expect((await leftovers(host, id, "C:\\uvms\\identity-old-state")).systems).toEqual([]);
    });
});
