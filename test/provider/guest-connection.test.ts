/**
 * The guest connection hcsshim's CreateWCOW and Start make (issue 14), through the provider's create
 * and update against the simulated guest: listener bound before start, the guest accepted, protocol 4
 * negotiated, the time zone and the HvSocket settings sent, and the connection ended with the
 * operation (guestConnection `lost`). Every guest fault fails the step it breaks, terminates the VM and
 * leaves nothing behind: no system, grant, file, or Hyper-V socket.
 */
import fs from "node:fs";
import path from "node:path";
import { UTC_TIME_ZONE, WINDOWS_GCS_HV_HOST_ID, WINDOWS_GCS_HVSOCK_SERVICE_ID } from "../../provider/src/gcs/protocol";
import { inputsOf } from "../../provider/src/pulumi/property-bags";
import type { UvmStepError } from "../../provider/src/uvm/step-error";
import { type Bag, checked, createVm, leftovers, provider, vmArgs } from "../support/provider";
import { eventually, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

const NEW_YORK = {
    Bias: 300, StandardName: "Eastern Standard Time", StandardDate: {}, DaylightName: "Eastern Daylight Time", DaylightDate: {}, DaylightBias: -60,
};

let host: TestHost;
const savedEnv = { ...process.env };

beforeAll(async () => {
    // Not UTC, so the time zone the guest inherits shows.
    host = await startTestHost({ env: { TZ: "America/New_York" } });
});

afterEach(async () => {
    await host.sim.control.clearFaults();
    for (const name of ["PULUMI_HCS_TIMEOUT_GCSCONNECTION", "PULUMI_HCS_TIMEOUT_GCSREQUEST"]) {
        if (savedEnv[name] === undefined) delete process.env[name];
        else process.env[name] = savedEnv[name];
    }
});

afterAll(async () => {
    await host?.stop();
});

async function guestOf(id: string) {
    const state = await host.sim.control.state();
    return state.systems.find((s) => s.id === id)?.guest ?? null;
}

/** No Hyper-V socket is bound on the host, and no socket file is left in its namespace. */
async function expectNoHvSockets(): Promise<void> {
    await eventually(async () => expect((await host.sim.control.state()).hvSockets).toEqual([]));
    expect(fs.readdirSync(path.join(host.sim.root, "hvsock"))).toEqual([]);
}

describe("a started VM's guest connection", () => {
    it("is accepted, negotiated and configured as hcsshim's Start does, then ends with the create", async () => {
        const { id, outs } = await createVm(vmArgs(host, "guest-basic"));
        expect(outs).toMatchObject({ state: "Running", guestConnection: "lost", guestOsType: "windows", guestProtocolVersion: 4 });
        const guest = await guestOf(id);
        expect(guest).toMatchObject({
            requests: ["NegotiateProtocol", "Create", "Start", "ModifySettings"],
            protocolVersion: 4,
            hvSocket: { LocalAddress: outs.runtimeId, ParentAddress: WINDOWS_GCS_HV_HOST_ID },
            // The host's time zone: the simulator runs in New York.
            timeZone: NEW_YORK,
            started: true,
        });
        // The provider closed the connection as its create ended: nobody holds it now.
        await eventually(async () => expect((await guestOf(id))?.phase).toBe("disconnected"));
        await expectNoHvSockets();
        await provider.delete!(id, outs);
    });

    it("sends UTC instead of the host's time zone with noInheritHostTimezone", async () => {
        const { id, outs } = await createVm(vmArgs(host, "guest-utc", { noInheritHostTimezone: true }));
        expect((await guestOf(id))?.timeZone).toEqual(UTC_TIME_ZONE);
        await provider.delete!(id, outs);
    });

    it("is not made for a VM that is not started (guestConnection none), and is made by the in-place start", async () => {
        const { id, outs } = await createVm(vmArgs(host, "guest-late", { start: false }));
        expect(outs).toMatchObject({ state: "Created", guestConnection: "none" });
        expect(outs).not.toHaveProperty("guestOsType");
        expect((await host.sim.control.state()).hvSockets).toEqual([]);
        const news = await checked({ ...inputsOf(outs), start: true }, outs);
        const updated = (await provider.update!(id, outs, news)).outs as Bag;
        expect(updated).toMatchObject({ state: "Running", start: true, guestConnection: "lost", guestOsType: "windows", guestProtocolVersion: 4 });
        expect((await guestOf(id))?.hvSocket).toEqual({ LocalAddress: outs.runtimeId, ParentAddress: WINDOWS_GCS_HV_HOST_ID });
        await expectNoHvSockets();
        await provider.delete!(id, updated);
    });

    it("survives a refresh unchanged, since the provider holds no connection between operations", async () => {
        const { id, outs } = await createVm(vmArgs(host, "guest-read"));
        const read = await provider.read!(id, outs);
        expect(read.props).toMatchObject({ guestConnection: "lost", guestOsType: "windows", guestProtocolVersion: 4 });
        const { guestConnection: _dropped, ...older } = outs;
        expect((await provider.read!(id, older)).props).toMatchObject({ guestConnection: "none" });
        await provider.delete!(id, outs);
    });

    it("is made when adoption starts a Created VM, and not for a VM that already runs", async () => {
        for (const [id, startFirst, expected] of [["adopt-created", false, "lost"], ["adopt-running", true, "none"]] as const) {
            const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
            if (startFirst) await system.start();
            await system.close();
            const { outs } = await createVm(vmArgs(host, id, { computeSystemId: id, adoptExisting: true }));
            expect(outs).toMatchObject({ state: "Running", guestConnection: expected });
            if (expected === "lost") expect((await guestOf(id))?.requests).toEqual(["NegotiateProtocol", "Create", "Start", "ModifySettings"]);
            await provider.delete!(id, outs);
        }
        await expectNoHvSockets();
    });

    it("waits for a guest that dials late but in time", async () => {
        await host.sim.control.guestFault("dial-late", { delayMs: 300 });
        const { id, outs } = await createVm(vmArgs(host, "guest-slow"));
        expect(outs.guestConnection).toBe("lost");
        await provider.delete!(id, outs);
    });
});

/** A broken guest, the step it fails, and the cause the error gives. */
const FAULTS: [mode: string, options: Record<string, unknown>, step: string, cause: RegExp][] = [
    ["never-dial", {}, "failed to connect to GCS",
        /^GCS connection failed: HCS_E_CONNECTION_TIMEOUT \(0x80370109\): the guest compute service did not connect within 1 s \(the 'gcsConnection' timeout; raise it with PULUMI_HCS_TIMEOUT_GCSCONNECTION, in seconds\)$/],
    ["dial-late", { delayMs: 1500 }, "failed to connect to GCS", /^GCS connection failed: HCS_E_CONNECTION_TIMEOUT \(0x80370109\): the guest compute service did not connect within 1 s/],
    ["close-mid-negotiation", {}, "failed to negotiate the GCS protocol", /^bridge closed: use of closed network connection$/],
    ["unsupported-version", { version: 5 }, "failed to negotiate the GCS protocol", /^guest RPC failure: protocol version 4 is not supported: this guest speaks 5$/],
    ["stop-answering", {}, "failed to negotiate the GCS protocol",
        /^GCS connection failed: HCS_E_CONNECTION_TIMEOUT \(0x80370109\): the guest compute service did not finish the negotiate step within 1 s/],
    ["stop-answering", { at: "ModifySettings" }, "failed to do initial GCS setup",
        /^failed to configure HVSOCK for external GCS: guest modify: bridge closed: use of closed network connection \(message timeout: no response to Request\(ModifySettings\) within 1000 ms\)$/],
    ["fail-request", { at: "ModifySettings", hresult: "0x80070005" }, "failed to do initial GCS setup",
        /^failed to configure HVSOCK for external GCS: guest modify: guest RPC failure: injected by the HCS simulator: fault 'guest fail-request' at ModifySettings$/],
];

describe("a guest that fails", () => {
    it.each(FAULTS)("%s %j: create fails at '%s', terminates the VM and leaves nothing", async (mode, options, step, cause) => {
        process.env.PULUMI_HCS_TIMEOUT_GCSCONNECTION = "1";
        process.env.PULUMI_HCS_TIMEOUT_GCSREQUEST = "1";
        await host.sim.control.guestFault(mode, options);
        const name = `guest-${mode}-${Object.keys(options).join("-") || "plain"}`;
        const inputs = await checked(vmArgs(host, name));
        const error = await provider.create(inputs).then(() => undefined, (e: unknown) => e as UvmStepError);
        expect(error?.name).toBe("UvmStepError");
        expect(error!.step).toBe(step);
        const prefix = `create utility VM '${error!.computeSystemId}': ${step}: `;
        expect(error!.message.startsWith(prefix)).toBe(true);
        expect(error!.message.slice(prefix.length)).toMatch(cause);
        expect(error).not.toHaveProperty("id"); // nothing left for Pulumi to record
        expect(await leftovers(host, error!.computeSystemId, `C:\\uvms\\${name}`)).toEqual({ systems: [], grants: [], files: [] });
        await expectNoHvSockets();
    });

    it("a VM that dies while its guest would dial fails the connect step with the VM's exit", async () => {
        await host.sim.control.guestFault("never-dial");
        const inputs = await checked(vmArgs(host, "guest-killed"));
        const creating = provider.create(inputs).then(() => undefined, (e: unknown) => e as UvmStepError);
        await eventually(async () => {
            expect((await host.sim.control.state()).systems.find((s) => s.state === "Running" && s.guest?.phase === "not-dialing")).toBeDefined();
        });
        const victim = (await host.sim.control.state()).systems.find((s) => s.guest?.phase === "not-dialing")!;
        await host.sim.control.kill(victim.id);
        const error = await creating;
        expect(error?.step).toBe("failed to connect to GCS");
        expect((error!.cause as Error).message).toBe("the utility VM exited (ExitType UnexpectedExit)");
        expect(await leftovers(host, victim.id, "C:\\uvms\\guest-killed")).toEqual({ systems: [], grants: [], files: [] });
        await expectNoHvSockets();
    });

    it("a listener that cannot be bound fails before the VM starts", async () => {
        await host.sim.control.failNext("HcsSimHv_bind", "0x80072740");
        const inputs = await checked(vmArgs(host, "guest-no-listener"));
        const starts = (await host.sim.control.state()).calls.HcsStartComputeSystem ?? 0;
        const error = await provider.create(inputs).then(() => undefined, (e: unknown) => e as UvmStepError);
        expect(error?.step).toBe("failed to listen for the GCS connection");
        expect((error!.cause as Error).message).toContain("bind failed: WSAEADDRINUSE (10048): another socket is bound to this VM ID and service ID");
        expect((await host.sim.control.state()).calls.HcsStartComputeSystem ?? 0).toBe(starts);
        expect(await leftovers(host, error!.computeSystemId, "C:\\uvms\\guest-no-listener")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("the resource's create timeout bounds the wait, and the error says so", async () => {
        await host.sim.control.guestFault("never-dial");
        const inputs = await checked(vmArgs(host, "guest-budget", { timeouts: { create: "2s" } }));
        const error = await provider.create(inputs).then(() => undefined, (e: unknown) => e as UvmStepError);
        expect(error?.step).toBe("failed to connect to GCS");
        expect((error!.cause as Error).message).toMatch(/did not connect within \d+ ms \(what was left of the operation's budget \(the resource's timeouts\)\)$/);
        expect(await leftovers(host, error!.computeSystemId, "C:\\uvms\\guest-budget")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("an in-place start whose guest never connects terminates the VM and reports the start as not applied", async () => {
        process.env.PULUMI_HCS_TIMEOUT_GCSCONNECTION = "1";
        const { id, outs } = await createVm(vmArgs(host, "guest-late-fail", { start: false }));
        await host.sim.control.guestFault("never-dial");
        const news = await checked({ ...inputsOf(outs), start: true }, outs);
        const error = await provider.update!(id, outs, news).then(() => undefined, (e: unknown) => e as Error & { id: string; properties: Bag; reasons: string[] });
        expect(error?.reasons).toEqual([expect.stringMatching(/^start: failed to connect to GCS: GCS connection '[^']+' failed: HCS_E_CONNECTION_TIMEOUT \(0x80370109\)/)]);
        expect(error!.properties).toMatchObject({ start: false, state: "Stopped", guestConnection: "none" });
        // The terminated VM is gone (no handle kept it); the next refresh drops it and the next up creates it.
        expect((await host.sim.control.state()).systems.filter((s) => s.id === id)).toEqual([]);
        await expectNoHvSockets();
        await provider.delete!(id, error!.properties);
        expect(await leftovers(host, id, "C:\\uvms\\guest-late-fail")).toEqual({ systems: [], grants: [], files: [] });
    });
});

describe("the listener", () => {
    it("is bound to the VM's runtime ID and the Windows GCS service before the VM starts", async () => {
        await host.sim.control.guestFault("never-dial");
        process.env.PULUMI_HCS_TIMEOUT_GCSCONNECTION = "1";
        const inputs = await checked(vmArgs(host, "guest-bound"));
        const creating = provider.create(inputs).catch(() => undefined);
        await eventually(async () => expect((await host.sim.control.state()).hvSockets).toHaveLength(1));
        const binding = await host.sim.control.state();
        const vm = binding.systems.find((s) => s.runtimeId.toLowerCase() === binding.hvSockets[0]!.vmId);
        expect(vm).toBeDefined();
        expect(binding.hvSockets[0]).toMatchObject({ serviceId: WINDOWS_GCS_HVSOCK_SERVICE_ID, pid: process.pid });
        await creating;
        await expectNoHvSockets();
    });
});
