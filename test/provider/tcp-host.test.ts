/**
 * A simulated host named `sim:tcp:127.0.0.1:<port>`: the provider reaches the simulator over TCP with
 * the secret from PULUMI_HCS_SIM_SECRET. It is how a Windows process reaches a simulator (the
 * simulator's Windows library speaks only TCP), and it works the same from Linux.
 */
import { SIMULATOR_SECRET_ENV } from "../../provider/src/host/simulated-host";
import { checked, createVm, leftovers, provider, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ tcp: true });
});

afterAll(async () => {
    await host?.stop();
});

describe("a simulated host over TCP", () => {
    it("is named sim:tcp:127.0.0.1:<port>", () => {
        expect(host.hostName).toMatch(/^sim:tcp:127\.0\.0\.1:\d+$/);
        expect(host.sim.secret).toMatch(/^[0-9a-f]{64}$/);
    });

    it("refuses a wrong PULUMI_HCS_SIM_SECRET at check, on the host input", async () => {
        const secret = process.env[SIMULATOR_SECRET_ENV];
        process.env[SIMULATOR_SECRET_ENV] = "not-the-secret";
        try {
            const result = await provider.check({}, vmArgs(host, "wrong-secret"));
            expect(result.failures).toEqual([{ property: "host", reason: expect.stringContaining(`cannot reach host '${host.hostName}'`) }]);
            expect(result.failures?.[0]?.reason).toContain("HCS_E_ACCESS_DENIED");
        } finally {
            process.env[SIMULATOR_SECRET_ENV] = secret;
        }
    });

    it("checks, creates, reads and deletes a VM", async () => {
        const { id, outs } = await createVm(vmArgs(host, "over-tcp"));
        expect(outs).toMatchObject({ host: host.hostName, state: "Running" });
        const news = await checked(vmArgs(host, "over-tcp"), outs);
        expect(await provider.diff!(id, outs, news)).toMatchObject({ changes: false });
        expect((await provider.read!(id, outs)).props).toMatchObject({ state: "Running", runtimeId: outs.runtimeId });
        await provider.delete!(id, outs);
        expect(await leftovers(host, id, "C:\\uvms\\over-tcp")).toEqual({ systems: [], grants: [], files: [] });
    });
});
