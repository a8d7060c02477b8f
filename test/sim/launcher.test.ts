// The simulator launcher (sim-launcher.ts): startSimulatorProcess through PULUMI_HCS_SIM_LAUNCHER gives
// the same RunningSimulator as a spawned one (TCP, control, crash, restart, stop), a client that goes
// away takes its simulators with it, and requests without the secret are refused. The Windows test
// run relies on all of it (scripts/test-windows.sh).
import * as fs from "node:fs";
import { startSimulatorProcess, type RunningSimulator } from "../../provider/sim/service/launch";
import { serveSimulatorLauncher, type SimulatorLauncher } from "../../provider/sim/service/sim-launcher";
import { LAUNCHER_ENV, LAUNCHER_SECRET_ENV, launcherFromEnv, launcherRequest } from "../../provider/sim/service/sim-launcher-client";
import { requestJsonLine } from "../../provider/sim/service/json-line-request";
import { HR, hcsLib, hex, serviceProperties } from "./helpers/hcs-lib";
import { connectTo } from "./helpers/fixtures";

let launcher: SimulatorLauncher;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
    launcher = await serveSimulatorLauncher();
    for (const name of [LAUNCHER_ENV, LAUNCHER_SECRET_ENV]) saved[name] = process.env[name];
    process.env[LAUNCHER_ENV] = launcher.address;
    process.env[LAUNCHER_SECRET_ENV] = launcher.secret;
});

afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    hcsLib().HcsSimResetConnection();
    await launcher?.close();
});

async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await check();
        } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }
}

describe("startSimulatorProcess() through a launcher", () => {
    let sim: RunningSimulator;

    afterAll(async () => {
        await sim?.stop().catch(() => undefined);
    });

    it("starts a TCP simulator the library can reach with the secret", async () => {
        sim = await startSimulatorProcess({ logicalProcessors: 3 });
        expect(sim.address).toBe(`tcp:${sim.ready.tcp}`);
        expect(sim.secret).toMatch(/^[0-9a-f]{64}$/);
        expect(sim.env).toEqual({ PULUMI_HCS_SIM: sim.address, PULUMI_HCS_SIM_SECRET: sim.secret });
        expect(sim.root).toBe(sim.ready.root); // Linux sees the launcher's paths as they are
        expect(fs.existsSync(sim.root)).toBe(true);
        expect(launcher.running).toBe(1);
        connectTo(sim);
        const props = serviceProperties('{"PropertyTypes":["ProcessorTopology"]}');
        expect(hex(props.hr)).toBe(hex(0));
        expect(JSON.parse(props.doc!)).toMatchObject({ Properties: [{ LogicalProcessorCount: 3 }] });
    });

    it("controls it through the launcher", async () => {
        expect(await sim.control.ping()).toEqual({ pid: sim.ready.pid, root: sim.ready.root });
        await sim.control.failNext("HcsGetServiceProperties", HR.E_ACCESSDENIED);
        expect((await sim.control.listFaults()).map((f) => f.fn)).toEqual(["HcsGetServiceProperties"]);
        expect(hex(serviceProperties(null).hr)).toBe(hex(HR.E_ACCESSDENIED));
        await expect(sim.control.request({ cmd: "kill", id: "no-such-system" })).rejects.toThrow(/no-such-system/);
    });

    it("crashes it and restarts it on the same address and secret", async () => {
        const { address, secret } = sim;
        const pid = sim.pid;
        await sim.crash();
        await expect(sim.control.ping()).rejects.toThrow("Cannot reach the simulator's control interface");
        await sim.restart();
        expect(sim.pid).not.toBe(pid);
        expect([sim.address, sim.secret]).toEqual([address, secret]);
        expect((await sim.control.ping()).pid).toBe(sim.pid);
        expect(hex(serviceProperties(null).hr)).toBe(hex(0));
    });

    it("stops it and removes the root it made", async () => {
        await sim.stop();
        expect(launcher.running).toBe(0);
        expect(fs.existsSync(sim.root)).toBe(false);
        await expect(sim.control.ping()).rejects.toThrow("Cannot find simulator");
    });

    it("refuses a root chosen by the caller (the launcher makes its own)", async () => {
        await expect(startSimulatorProcess({ root: "/tmp/mine" })).rejects.toThrow("the launcher makes the root on its own side");
    });
});

describe("the launcher", () => {
    it("stops a simulator whose client went away (its start connection closed)", async () => {
        const { result, socket } = await launcherRequest<{ sim: number; ready: { root: string } }>(
            launcherFromEnv()!, { cmd: "start", options: { logicalProcessors: 1 } }, 30000, true);
        expect(launcher.running).toBe(1);
        socket!.destroy();
        await eventually(() => expect(launcher.running).toBe(0));
        await eventually(() => expect(fs.existsSync(result.ready.root)).toBe(false));
    });

    it("refuses a request without its secret, and never starts anything for it", async () => {
        const [host, port] = launcher.address.slice("tcp:".length).split(":");
        const request = (secret?: string) => requestJsonLine({
            connect: { host: host!, port: Number(port) },
            request: { id: 1, secret, cmd: "start", options: {} },
            peer: "the launcher",
            what: "start",
            timeoutMs: 5000,
        });
        await expect(request()).rejects.toThrow("wrong or missing secret");
        await expect(request("guess")).rejects.toThrow("wrong or missing secret");
        expect(launcher.running).toBe(0);
    });

    it("reads its address from PULUMI_HCS_SIM_LAUNCHER, refusing malformed ones", () => {
        expect(launcherFromEnv({})).toBeUndefined();
        expect(launcherFromEnv({ [LAUNCHER_ENV]: "tcp:127.0.0.1:4000", [LAUNCHER_SECRET_ENV]: "s" })).toEqual({ host: "127.0.0.1", port: 4000, secret: "s" });
        expect(() => launcherFromEnv({ [LAUNCHER_ENV]: "127.0.0.1:4000", [LAUNCHER_SECRET_ENV]: "s" })).toThrow("must be tcp:127.0.0.1:<port>");
        expect(() => launcherFromEnv({ [LAUNCHER_ENV]: "tcp:127.0.0.1:4000" })).toThrow(`${LAUNCHER_SECRET_ENV} is not`);
    });
});
