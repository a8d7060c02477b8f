/**
 * `pulumi-hcs ps`, `inspect` and `rm` against a host agent (`--host grpcs://…`), as an operator runs
 * them: the real binary, the agent as its own process on a test PKI, in front of a simulated host.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AgentClient } from "../../provider/src/agent/agent-client";
import type { WireVm } from "../../provider/src/agent/api";
import { loadClientCredentials } from "../../provider/src/agent/client-credentials";
import { startTestAgent, type TestAgent, removeTestAgentFolders } from "../support/agent";
import { BASE_LAYER, startTestHost, type TestHost } from "../support/simulated-host";
import { isWindows } from "../../provider/src/platform";

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../provider/bin/pulumi-hcs.js");

const BUILD_URN = "urn:pulumi:ops::fleet::pulumi-hcs:index:WcowUtilityVm::build-agent";
const IDLE_URN = "urn:pulumi:ops::fleet::pulumi-hcs:index:WcowUtilityVm::idle::spare";
/** Two VMs whose IDs share a prefix, for the ambiguous-prefix refusal. */
const TWIN_STEM = "a9e1c0de";
const TWINS = [`${TWIN_STEM}-0000-4000-8000-000000000001`, `${TWIN_STEM}-0000-4000-8000-000000000002`];

let host: TestHost;
let agent: TestAgent;
let operator: AgentClient;
/** Started: the agent holds its guest connection. */
let build: WireVm;
/** Created without starting, with another owner: no guest connection. */
let idle: WireVm;
let createdFrom: number;

interface Ran { code: number; stdout: string; stderr: string }

/** The CLI as `identity` (a certificate the agent's roles know), with the agent as `--host`. */
async function cli(identity: string, ...args: string[]): Promise<Ran> {
    return cliWithEnv(agent.clientEnv(identity), ...args, "--host", agent.address);
}

async function cliWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Ran> {
    try {
        const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
            // No credentials or default host from the environment the tests run in: only what `env` sets.
            env: {
                ...process.env, PULUMI_HCS_LOG_LEVEL: "warn", PULUMI_HCS_HOST: "",
                PULUMI_HCS_AGENT_CA: "", PULUMI_HCS_AGENT_CERT: "", PULUMI_HCS_AGENT_KEY: "", PULUMI_HCS_AGENT_PIN: "",
                PULUMI_HCS_AGENT_CERT_PATH: path.join(agent.dir, "no-credentials-here"),
                ...env,
            },
        });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

async function createThroughAgent(name: string, resource: string, inputs: Record<string, unknown> = {}): Promise<WireVm> {
    return operator.call<WireVm>("CreateVm", {
        spec: { inputs_json: JSON.stringify({ layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`], ...inputs }) },
        resource,
        budget_ms: 0,
    }, { mutation: true });
}

/** A row of the table, split on the column gaps. */
function row(stdout: string, id: string): string[] | undefined {
    return stdout.split("\n").find((line) => line.startsWith(id))?.split(/\s{2,}/);
}

/** The shortest prefix of `id` that no other ID starts with. */
function uniquePrefix(id: string, ids: readonly string[]): string {
    for (let n = 1; n <= id.length; n++) {
        const prefix = id.slice(0, n).toLowerCase();
        if (ids.filter((other) => other.toLowerCase().startsWith(prefix)).length === 1) return id.slice(0, n);
    }
    return id;
}

async function simulatedSystems(): Promise<string[]> {
    return (await host.sim.control.state()).systems.map((s) => s.id);
}

/** The folder on the simulator's disk that holds `C:\uvms\<name>`. */
function scratchFolderOnDisk(name: string): string {
    return path.join(host.sim.root, "fs", "c", "uvms", name);
}

// The host agent runs on Linux in front of the simulator (README, What is missing: not under Wine),
// and these tests make its certificates with Debian's openssl, which the Windows run does not have:
// on Windows they are reported as skipped.
const describeWithAgent = isWindows ? describe.skip : describe;

beforeAll(async () => {
    if (isWindows) return;
    host = await startTestHost();
    agent = await startTestAgent({ host: host.hostName });
    operator = new AgentClient(agent.address, "127.0.0.1", agent.port, loadClientCredentials(agent.clientEnv("operator-1")));
    createdFrom = Date.now();
    build = await createThroughAgent("agent-build", BUILD_URN, { processorCount: 4, memorySizeInMB: 1536 });
    idle = await createThroughAgent("agent-idle", IDLE_URN, { start: false, owner: "ops-team" });
    for (const [i, id] of TWINS.entries()) await createThroughAgent(`agent-twin-${i}`, `urn:pulumi:ops::fleet::pulumi-hcs:index:WcowUtilityVm::twin-${i}`, { start: false, computeSystemId: id });
}, 120_000);

afterAll(async () => {
    operator?.close();
    await agent?.stop();
    await host?.stop();
    removeTestAgentFolders();
});

describeWithAgent("pulumi-hcs ps --host grpcs://…", () => {
    it("lists the agent's VMs with the resource's name, state, age, processors, memory and guest connection", async () => {
        const { code, stdout, stderr } = await cli("operator-1", "ps");
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const lines = stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^ID\s+NAME\s+OWNER\s+STATE\s+AGE\s+CPUS\s+MEMORY\s+GUEST\s+RUNTIME ID$/);
        expect(lines).toHaveLength(1 + 2 + TWINS.length);
        expect(row(stdout, build.id)).toEqual([build.id, "build-agent", "pulumi-hcs", "Running", expect.stringMatching(/^\d+s$/), "4", "1536 MB", "connected", build.runtime_id]);
        // A name may itself hold "::"; a VM never started has no guest connection.
        expect(row(stdout, idle.id)).toEqual([idle.id, "idle::spare", "ops-team", "Created", expect.stringMatching(/^\d+s$/), "2", expect.stringMatching(/^\d+ MB$/), "none", idle.runtime_id]);
    });

    it("prints JSON with the URN, the creation time and the guest connection, and filters by owner", async () => {
        const { code, stdout } = await cli("operator-1", "ps", "--json", "--owner", "ops-team");
        expect(code).toBe(0);
        const rows = JSON.parse(stdout) as Record<string, unknown>[];
        expect(rows).toEqual([expect.objectContaining({
            id: idle.id, name: "idle::spare", resource: IDLE_URN, owner: "ops-team", state: "Created", guestConnection: "none", startedAt: null,
        })]);
        const created = Date.parse(rows[0]!.createdAt as string);
        expect(created).toBeGreaterThanOrEqual(createdFrom - 1000);
        expect(created).toBeLessThanOrEqual(Date.now());

        const all = JSON.parse((await cli("operator-1", "ps", "--json")).stdout) as Record<string, unknown>[];
        expect(all.map((r) => r.id)).toEqual([build.id, idle.id, ...TWINS].sort());
        expect(all.find((r) => r.id === build.id)).toMatchObject({
            name: "build-agent", resource: BUILD_URN, processorCount: 4, assignedMemoryInMB: 1536, memorySizeInMB: 1536, guestConnection: "connected",
        });
        expect((await cli("operator-1", "ps", "--owner", "nobody")).stdout).toMatch(/^ID\s+NAME.*\n$/);
    });

    it("takes the agent from PULUMI_HCS_HOST, and a reader certificate may list", async () => {
        const { code, stdout } = await cliWithEnv({ ...agent.clientEnv("reader-1"), PULUMI_HCS_HOST: agent.address }, "ps");
        expect(code).toBe(0);
        expect(row(stdout, build.id)?.[1]).toBe("build-agent");
    });

    it("leaves a host reached directly as it was: the same VMs as compute systems, without a GUEST column", async () => {
        const { code, stdout } = await cliWithEnv({ PULUMI_HCS_HOST: host.hostName }, "ps");
        expect(code).toBe(0);
        expect(stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+OWNER\s+STATE\s+AGE\s+CPUS\s+MEMORY\s+RUNTIME ID$/);
        expect(row(stdout, build.id)).toEqual([build.id, "build-agent", "pulumi-hcs", "Running", expect.stringMatching(/^\d+[smhd]$/), "4", "1536 MB", build.runtime_id]);
    });
});

describeWithAgent("pulumi-hcs inspect --host grpcs://…", () => {
    it("prints the agent's Vm message with the document parsed, for a prefix only one of its VMs starts with", async () => {
        const prefix = uniquePrefix(build.id, [build.id, idle.id, ...TWINS]);
        const { code, stdout, stderr } = await cli("reader-1", "inspect", prefix.toUpperCase());
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const shown = JSON.parse(stdout) as Record<string, unknown> & { document: { VirtualMachine: { ComputeTopology: { Processor: { Count: number } } } } };
        expect(shown).toMatchObject({
            id: build.id, runtime_id: build.runtime_id, state: "Running", owner: "pulumi-hcs", resource: BUILD_URN,
            guest_connection: "GUEST_CONNECTION_CONNECTED", scratch_path: "C:\\uvms\\agent-build\\sandbox.vhdx", created_at: build.created_at,
            observed_json: null,
        });
        expect(shown.document.VirtualMachine.ComputeTopology.Processor.Count).toBe(4);
    });

    it("takes a whole ID as it is", async () => {
        const { code, stdout } = await cli("reader-1", "inspect", TWINS[0]!);
        expect(code).toBe(0);
        expect((JSON.parse(stdout) as { id: string }).id).toBe(TWINS[0]);
    });

    it("refuses a prefix several of the agent's VMs start with, listing them (exit 1)", async () => {
        const { code, stdout, stderr } = await cli("reader-1", "inspect", TWIN_STEM);
        expect(code).toBe(1);
        expect(stdout).toBe("");
        expect(stderr).toBe(`pulumi-hcs inspect: '${TWIN_STEM}' is ambiguous: 2 VM IDs start with it (${TWINS.join(", ")}); give more of the ID\n`);
    });

    it("says the agent has no such VM, naming the agent (exit 1)", async () => {
        const { code, stderr } = await cli("reader-1", "inspect", "no-such-vm");
        expect(code).toBe(1);
        expect(stderr).toBe(`pulumi-hcs inspect: no VM 'no-such-vm' on host agent ${agent.address}: no ID is or starts with it (\`pulumi-hcs ps\` lists them)\n`);
    });
});

describeWithAgent("pulumi-hcs rm --host grpcs://…", () => {
    it("refuses a reader: the error names the agent, DeleteVm and PERMISSION_DENIED, and the VM stays", async () => {
        const { code, stdout, stderr } = await cli("reader-1", "rm", idle.id);
        expect(code).toBe(1);
        expect(stdout).toBe("");
        expect(stderr).toMatch(new RegExp(`^pulumi-hcs rm: host agent ${agent.address} DeleteVm \\(PERMISSION_DENIED\\): .+\\n$`));
        expect(await simulatedSystems()).toContain(idle.id);
        expect(agent.auditLines().some((l) => l.method === "DeleteVm" && l.result === "refused" && l.vm === idle.id)).toBe(true);
    });

    it("removes a VM given by a unique prefix through the agent: no system, no files left", async () => {
        expect(fs.existsSync(path.join(scratchFolderOnDisk("agent-build"), "sandbox.vhdx"))).toBe(true);
        const prefix = uniquePrefix(build.id, [build.id, idle.id, ...TWINS]);
        const { code, stdout, stderr } = await cli("operator-1", "rm", prefix);
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(stdout).toBe(`removed ${build.id}\n`);
        expect(await simulatedSystems()).not.toContain(build.id);
        expect(fs.existsSync(scratchFolderOnDisk("agent-build"))).toBe(false);
        expect(row((await cli("operator-1", "ps")).stdout, build.id)).toBeUndefined();
    });

    it("accepts --force, meaning the same: the agent decides how to stop the VM", async () => {
        const { code, stdout } = await cli("operator-1", "rm", "--force", idle.id);
        expect(code).toBe(0);
        expect(stdout).toBe(`removed ${idle.id}\n`);
        expect(await simulatedSystems()).not.toContain(idle.id);
        expect(fs.existsSync(scratchFolderOnDisk("agent-idle"))).toBe(false);
    });

    it("refuses --scratch on an agent with usage (exit 2), touching nothing", async () => {
        const { code, stderr } = await cli("operator-1", "rm", TWINS[0]!, "--scratch", "C:\\uvms\\agent-twin-0");
        expect(code).toBe(2);
        expect(stderr).toContain("run `pulumi-hcs rm ID` without --scratch");
        expect(await simulatedSystems()).toContain(TWINS[0]);
    });
});

describeWithAgent("without client credentials", () => {
    it.each([["ps"], ["inspect", TWINS[0]!], ["rm", TWINS[0]!]])("%s says which variables to set, in one line, exit 1", async (...args) => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-no-creds-"));
        const { code, stdout, stderr } = await cliWithEnv({ PULUMI_HCS_AGENT_CERT_PATH: empty }, ...args, "--host", agent.address);
        expect(code).toBe(1);
        expect(stdout).toBe("");
        expect(stderr.split("\n")).toEqual([expect.stringMatching(new RegExp(`^pulumi-hcs ${args[0]}: Cannot read the client credentials for host agents: `)), ""]);
        for (const variable of ["PULUMI_HCS_AGENT_CA", "PULUMI_HCS_AGENT_CERT", "PULUMI_HCS_AGENT_KEY", "PULUMI_HCS_AGENT_CERT_PATH"]) expect(stderr).toContain(variable);
        expect(stderr).not.toMatch(/\n\s+at /);
        expect(await simulatedSystems()).toContain(TWINS[0]);
    });
});
