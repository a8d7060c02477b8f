/**
 * Strings cross into computecore as UTF-16 (char16_t) and come back decoded from UTF-16, through
 * the real koffi path: non-ASCII text, surrogate pairs and long documents survive the round trip.
 */
import { randomUUID } from "node:crypto";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost();
});

afterAll(async () => {
    await host?.stop();
});

async function roundTripOwner(owner: string): Promise<string | undefined> {
    const id = randomUUID();
    const document = JSON.parse(await prepareVm(host.sim.root, host.client, id)) as { Owner: string };
    document.Owner = owner;
    const system = await host.client.createComputeSystem(id, JSON.stringify(document));
    try {
        return (await system.properties()).Owner;
    } finally {
        await system.terminate();
        await system.close();
    }
}

describe("UTF-16 strings", () => {
    it("round-trips accented Latin, CJK and right-to-left text", async () => {
        const owner = "équipe-构建-فريق-ΩΨ";
        expect(await roundTripOwner(owner)).toBe(owner);
    });

    it("round-trips surrogate pairs (characters outside the BMP)", async () => {
        const owner = "ci 😀🚀 𝔘𝔙𝔐 𠜎";
        expect([...owner].length).toBeLessThan(owner.length); // it really has surrogate pairs
        expect(await roundTripOwner(owner)).toBe(owner);
    });

    it("round-trips a 1 MB document string in both directions", async () => {
        const owner = "Ω😀x".repeat(256 * 1024 / 4 * 4).slice(0, 512 * 1024);
        expect(owner.length).toBe(512 * 1024); // 1 MiB of UTF-16
        expect(await roundTripOwner(owner)).toBe(owner);
    });

    it("round-trips a compute-system ID with non-ASCII characters through open", async () => {
        const id = `vm-ünïcødé-${randomUUID()}`;
        const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
        try {
            const reopened = await host.client.openComputeSystem(id);
            expect((await reopened.properties()).Id).toBe(id);
            await reopened.close();
        } finally {
            await system.terminate();
            await system.close();
        }
    });
});
