/**
 * The simulated guest's boot delay (`pulumi-hcs sim --guest-boot-delay MS`): how long after its VM
 * starts a guest dials its host. A file of its own: this process's simulator library talks to one
 * service at a time, and this one starts its own.
 */
import { randomUUID } from "node:crypto";
import { WINDOWS_GCS_HVSOCK_SERVICE_ID } from "../../provider/src/gcs/protocol";
import { hvSockets } from "../../provider/src/hvsock/hv-socket";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ guestBootDelayMs: 400 });
});

afterAll(async () => {
    await host?.stop();
});

it("a guest is still booting right after its VM starts, and dials once the delay has passed", async () => {
    const id = randomUUID();
    const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
    const { RuntimeId } = await system.properties();
    const listener = hvSockets(host.sim.libraryPath).listen({ vmId: RuntimeId!, serviceId: WINDOWS_GCS_HVSOCK_SERVICE_ID });
    try {
        await system.start();
        const phase = async () => (await host.sim.control.state()).systems.find((s) => s.id === id)!.guest!.phase;
        expect(await phase()).toBe("booting");
        (await listener.accept(AbortSignal.timeout(10000))).close();
        expect(await phase()).not.toBe("booting");
    } finally {
        listener.close();
        await system.terminate();
        await system.close();
    }
});
