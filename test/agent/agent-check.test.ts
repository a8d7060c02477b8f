/**
 * `check` (what `pulumi preview` runs) on a host agent: the agent's facts and identity, and what the
 * agent would refuse at create known at preview: folders outside its roots, unreadable credentials.
 */
import { provider } from "../support/provider";
import { startTestAgent, type TestAgent, removeTestAgentFolders } from "../support/agent";
import { BASE_LAYER, startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;
let agent: TestAgent;
const saved = { ...process.env };

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    agent = await startTestAgent({ host: host.hostName });
    Object.assign(process.env, agent.clientEnv("operator-1"));
});

afterAll(async () => {
    process.env = saved;
    await agent?.stop();
    await host?.stop();
    removeTestAgentFolders();
});

describe("check on a host agent", () => {
    it("resolves against the agent's host and records its identity", async () => {
        const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\checked"], processorCount: 16, host: agent.address });
        expect(result.failures).toBeUndefined();
        // Clamped to the simulator's 8 logical processors, as the agent reports them.
        expect(result.inputs).toMatchObject({ host: agent.address, processorCount: 8, __hostId: expect.stringMatching(/^simulator:/) });
    });

    it("refuses folders outside the agent's roots at preview, naming each field, the path, the agent and the roots", async () => {
        const result = await provider.check({}, { layerFolders: ["D:\\layers\\base", "C:\\elsewhere\\vm"], dumpDirectoryPath: "C:\\uvms\\dumps", host: agent.address });
        const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
        expect(Object.keys(byProperty).sort()).toEqual(["dumpDirectoryPath", "layerFolders[0]", "layerFolders[1]"]);
        expect(byProperty["layerFolders[0]"]).toBe(`"D:\\layers\\base" is refused by the host agent ${agent.address}: it is not under the agent's layers roots (C:\\layers)`);
        expect(byProperty["layerFolders[1]"]).toContain("it is not under the agent's scratch roots (C:\\uvms)");
        expect(byProperty.dumpDirectoryPath).toContain("it is not under the agent's dumps roots (C:\\dumps)");
        // Nothing reached the agent's create: no audit line.
        expect(agent.auditLines().filter((l) => l.method === "CreateVm")).toEqual([]);
    });

    it("says the client's credentials are unreadable, not that the host is unreachable", async () => {
        const key = process.env.PULUMI_HCS_AGENT_KEY;
        process.env.PULUMI_HCS_AGENT_KEY = `${agent.dir}/missing-key.pem`;
        try {
            // Another spelling of the address: a new connection, which reads the credentials again.
            const address = agent.address.replace("127.0.0.1", "localhost");
            const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\creds"], host: address });
            const reason = result.failures?.find((f) => f.property === "host")?.reason;
            expect(reason).toContain(`cannot use host '${address}': Cannot read the client credentials for host agents: ${agent.dir}/missing-key.pem (ENOENT; named by PULUMI_HCS_AGENT_KEY)`);
            expect(reason).not.toContain("cannot reach");
        } finally {
            process.env.PULUMI_HCS_AGENT_KEY = key;
        }
    });
});
