/**
 * The simulated guest: when a VM starts, its GCS dials the host's listener on (runtime ID, the Windows
 * GCS service ID) and speaks hcsshim's bridge protocol; the host side here is the provider's own port
 * (provider/src/gcs), the guest's is written separately from hcsshim's guest sources. Each fault mode
 * breaks the step it names; a guest whose VM stops or whose host leaves says so in `sim state`.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BridgeClosedError, GuestRpcError } from "../../provider/src/gcs/bridge";
import { GuestConnection } from "../../provider/src/gcs/guest-connection";
import { UTC_TIME_ZONE, WINDOWS_GCS_HVSOCK_SERVICE_ID, WINDOWS_GCS_HV_HOST_ID } from "../../provider/src/gcs/protocol";
import type { ComputeSystem } from "../../provider/src/hcs";
import { hvSockets, type HvSocketConnection, type HvSocketListener } from "../../provider/src/hvsock/hv-socket";
import type { GuestStateView } from "../../provider/sim/service/control-protocol";
import { eventually, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    // A host that is not in UTC, so inheriting its time zone shows.
    host = await startTestHost({ env: { TZ: "America/New_York" } });
});

afterEach(async () => {
    await host.sim.control.clearFaults();
});

afterAll(async () => {
    await host?.stop();
});

interface StartedVm {
    readonly system: ComputeSystem;
    readonly runtimeId: string;
    readonly listener: HvSocketListener;
    dispose(): Promise<void>;
}

/** Creates a VM, binds the GCS listener on its runtime ID (before start, as hcsshim does), starts it. */
async function startVm(): Promise<StartedVm> {
    const id = randomUUID();
    const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
    const { RuntimeId } = await system.properties();
    const listener = hvSockets(host.sim.libraryPath).listen({ vmId: RuntimeId!, serviceId: WINDOWS_GCS_HVSOCK_SERVICE_ID });
    await system.start();
    return {
        system,
        runtimeId: RuntimeId!,
        listener,
        dispose: async () => {
            listener.close();
            await system.terminate().catch(() => undefined);
            await system.close();
        },
    };
}

async function guestOf(system: ComputeSystem): Promise<GuestStateView | null> {
    const state = await host.sim.control.state();
    return state.systems.find((s) => s.id === system.id)?.guest ?? null;
}

const connectOptions = { requestTimeoutMs: 30000 };

describe("the simulated guest", () => {
    it("dials its host after the VM starts and negotiates protocol 4 as a Windows guest", async () => {
        const vm = await startVm();
        let connection: HvSocketConnection | undefined;
        try {
            connection = await vm.listener.accept(AbortSignal.timeout(10000));
            const guest = await GuestConnection.connect(connection, { ...connectOptions, initialGuestState: { timeZone: UTC_TIME_ZONE } });
            expect(guest.negotiated).toMatchObject({ protocolVersion: 4, osType: "windows" });
            expect(guest.negotiated.gcsCapabilities).toMatchObject({ SendHostCreateMessage: true, SendHostStartMessage: true, RuntimeOsType: "Windows" });
            await guest.modify({ RequestType: "Update", ResourceType: "HvSocket", Settings: { LocalAddress: vm.runtimeId, ParentAddress: WINDOWS_GCS_HV_HOST_ID } });
            const view = await guestOf(vm.system);
            expect(view).toMatchObject({
                phase: "negotiated",
                protocolVersion: 4,
                requests: ["NegotiateProtocol", "Create", "Start", "ModifySettings"],
                hvSocket: { LocalAddress: vm.runtimeId, ParentAddress: WINDOWS_GCS_HV_HOST_ID },
                timeZone: UTC_TIME_ZONE,
                started: true,
            });
            expect(view?.dialed).toMatch(/^(unix:|tcp:)/);
            guest.close();
            await eventually(async () => expect((await guestOf(vm.system))?.phase).toBe("disconnected"));
        } finally {
            connection?.close();
            await vm.dispose();
        }
    });

    it("reports the simulated host's time zone (the service's TZ) in the Simulator service property", async () => {
        const [simulator] = await host.client.serviceProperties(["Simulator"]) as [{ TimeZone: unknown }];
        expect(simulator.TimeZone).toEqual({
            Bias: 300, StandardName: "Eastern Standard Time", StandardDate: {}, DaylightName: "Eastern Daylight Time", DaylightDate: {}, DaylightBias: -60,
        });
    });

    it("finds no listener when nothing is bound for its VM, and does not dial again", async () => {
        const id = randomUUID();
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
        try {
            await system.start();
            await eventually(async () => expect((await guestOf(system))?.phase).toBe("no-listener"));
            expect((await guestOf(system))?.dialed).toBeNull();
        } finally {
            await system.terminate();
            await system.close();
        }
    });

    it("powers off with its VM: the host's connection ends", async () => {
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            const reading = connection.read();
            await vm.system.terminate();
            expect(await reading).toBeNull();
            expect((await guestOf(vm.system))?.phase).toBe("off");
        } finally {
            connection.close();
            await vm.dispose();
        }
    });

    it("answers requests it does not simulate with an error the host reports", async () => {
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            const guest = await GuestConnection.connect(connection, connectOptions);
            await expect(guest.modify({ RequestType: "Add", ResourceType: "MappedVirtualDisk", Settings: {} }))
                .rejects.toThrow('guest RPC failure: guest resource type "MappedVirtualDisk" is not simulated by the HCS simulator\'s guest (only HvSocket is)');
            guest.close();
        } finally {
            connection.close();
            await vm.dispose();
        }
    });
});

describe("guest faults", () => {
    it("never-dial: the host waits in vain, and the guest says it is not dialing", async () => {
        await host.sim.control.guestFault("never-dial");
        const vm = await startVm();
        try {
            await eventually(async () => expect((await guestOf(vm.system))?.phase).toBe("not-dialing"));
            const reason = new Error("no guest");
            await expect(vm.listener.accept(AbortSignal.abort(reason))).rejects.toBe(reason);
        } finally {
            await vm.dispose();
        }
    });

    it("dial-late: the guest dials after the delay, not before", async () => {
        await host.sim.control.guestFault("dial-late", { delayMs: 400 });
        const vm = await startVm();
        try {
            expect((await guestOf(vm.system))?.phase).toBe("booting");
            const connection = await vm.listener.accept(AbortSignal.timeout(10000));
            connection.close();
            expect((await guestOf(vm.system))?.dialed).not.toBeNull();
        } finally {
            await vm.dispose();
        }
    });

    it("dial-late, later than the host waits: the guest finds the listener gone", async () => {
        await host.sim.control.guestFault("dial-late", { delayMs: 300 });
        const vm = await startVm();
        try {
            vm.listener.close();
            await eventually(async () => expect((await guestOf(vm.system))?.phase).toBe("no-listener"));
        } finally {
            await vm.dispose();
        }
    });

    it("close-mid-negotiation: negotiation fails with bridge closed", async () => {
        await host.sim.control.guestFault("close-mid-negotiation");
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            await expect(GuestConnection.connect(connection, connectOptions)).rejects.toBeInstanceOf(BridgeClosedError);
            expect((await guestOf(vm.system))?.phase).toBe("closed-by-guest");
        } finally {
            connection.close();
            await vm.dispose();
        }
    });

    it("unsupported-version: the guest refuses version 4 with HCS_E_UNSUPPORTED_PROTOCOL_VERSION's legacy code", async () => {
        await host.sim.control.guestFault("unsupported-version", { version: 5 });
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            const error = await GuestConnection.connect(connection, connectOptions).then(() => undefined, (e: unknown) => e as GuestRpcError);
            expect(error).toBeInstanceOf(GuestRpcError);
            expect(error!.hresult >>> 0).toBe(0xc037010c);
            expect(error!.message).toBe("guest RPC failure: protocol version 4 is not supported: this guest speaks 5");
        } finally {
            connection.close();
            await vm.dispose();
        }
    });

    it("stop-answering: negotiation waits until the host gives up", async () => {
        await host.sim.control.guestFault("stop-answering");
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            const controller = new AbortController();
            const connecting = GuestConnection.connect(connection, { ...connectOptions, signal: controller.signal });
            await eventually(async () => expect((await guestOf(vm.system))?.requests).toEqual(["NegotiateProtocol"]));
            const reason = new Error("the host gave up");
            controller.abort(reason);
            await expect(connecting).rejects.toBe(reason);
        } finally {
            connection.close();
            await vm.dispose();
        }
    });

    it("fail-request: the named request fails with the chosen HRESULT", async () => {
        await host.sim.control.guestFault("fail-request", { at: "ModifySettings", hresult: "0x80070005" });
        const vm = await startVm();
        const connection = await vm.listener.accept(AbortSignal.timeout(10000));
        try {
            const guest = await GuestConnection.connect(connection, connectOptions);
            const error = await guest.modify({ RequestType: "Update", ResourceType: "HvSocket", Settings: {} }).then(() => undefined, (e: unknown) => e as GuestRpcError);
            expect(error?.hresult! >>> 0).toBe(0x80070005);
            expect(error?.message).toBe("guest RPC failure: injected by the HCS simulator: fault 'guest fail-request' at ModifySettings");
            guest.close();
        } finally {
            connection.close();
            await vm.dispose();
        }
    });

    it("a fault for one compute system leaves the others' guests alone, and is listed until cleared", async () => {
        await host.sim.control.guestFault("never-dial", { system: "someone-else" });
        expect(await host.sim.control.listFaults()).toEqual([{ kind: "guest", fn: "GCS", mode: "never-dial", system: "someone-else" }]);
        const vm = await startVm();
        try {
            (await vm.listener.accept(AbortSignal.timeout(10000))).close();
        } finally {
            await vm.dispose();
        }
        await host.sim.control.clearFaults("GCS");
        expect(await host.sim.control.listFaults()).toEqual([]);
    });

    it("refuses an unknown mode, and dial-late without a delay, naming what they take", async () => {
        await expect(host.sim.control.guestFault("explode")).rejects.toThrow(
            "Cannot inject guest fault 'explode': the modes are never-dial, dial-late, close-mid-negotiation, unsupported-version, stop-answering, fail-request");
        await expect(host.sim.control.guestFault("dial-late")).rejects.toThrow("it needs --delay-ms");
        await expect(host.sim.control.guestFault("stop-answering", { at: "Launch" })).rejects.toThrow("--at 'Launch' is not a request the guest knows");
    });
});

describe("Hyper-V socket bindings", () => {
    it("end with the client process that made them, socket file included", async () => {
        const vmId = randomUUID();
        const fixture = path.join(__dirname, "fixtures", "listen-and-exit.js");
        execFileSync(process.execPath, [fixture, host.sim.libraryPath, vmId], { env: { ...process.env, ...host.sim.env }, stdio: "pipe" });
        await eventually(async () => {
            const state = await host.sim.control.state();
            expect(state.hvSockets.filter((b) => b.vmId === vmId)).toEqual([]);
        });
        expect(fs.readdirSync(path.join(host.sim.root, "hvsock"))).toEqual([]);
    });
});

describe("faults on the simulated Winsock calls", () => {
    it("refuses to hold or delay them (they block the caller's thread), and lets them fail", async () => {
        await expect(host.sim.control.hang("HcsSimHv_bind")).rejects.toThrow(
            "Cannot hold HcsSimHv_bind: the simulated Winsock call is synchronous on the caller's thread, as Winsock's is; use 'fault fail' or 'fault crash --on' instead");
        await expect(host.sim.control.latency("HcsSimHv_closesocket", 10)).rejects.toThrow("Cannot delay HcsSimHv_closesocket");
        await host.sim.control.failNext("HcsSimHv_bind", "0x80072740");
        expect(() => hvSockets(host.sim.libraryPath).listen({ vmId: randomUUID(), serviceId: WINDOWS_GCS_HVSOCK_SERVICE_ID })).toThrow("bind failed: WSAEADDRINUSE (10048)");
    });
});
