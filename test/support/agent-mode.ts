/**
 * The engine suite's agent run (scripts/test.sh, jest.via-agent.config.js): with
 * PULUMI_HCS_TEST_VIA_AGENT=1, every test host (simulated-host.ts startTestHost) is reached through
 * a host agent in front of its simulator. The host's `hostName` is then the agent's `grpcs://`
 * address, this process's environment (and so every Pulumi CLI and `pulumi-hcs` a test spawns) holds
 * the client credentials, and `client` and `sim` still reach the simulator itself, so the tests
 * inspect the host as before (agent-in-front.ts). Cases about the direct path only are written
 * `itDirectOnly(why)`.
 */
export const VIA_AGENT_ENV = "PULUMI_HCS_TEST_VIA_AGENT";

/** Whether this run puts an agent in front of every test host. */
export function viaAgent(): boolean {
    return process.env[VIA_AGENT_ENV] === "1";
}

/**
 * `it`, or `it.skip` in the agent run: for a case about the direct path, which an agent in front of
 * the host changes. `why` says what the agent changes (it stays in the source, next to the case).
 */
export function itDirectOnly(why: string): jest.It {
    void why;
    return viaAgent() ? it.skip : it;
}
