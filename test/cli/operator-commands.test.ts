/**
 * `pulumi-hcs ps`, `inspect` and `rm` as an operator runs them, against a simulated host through
 * the binding (the same path that reaches computecore.dll on Windows).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { isNotFound } from "../../provider/src/hcs";
import { isWindows } from "../../provider/src/platform";
import { createVm, leftovers, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../provider/bin/pulumi-hcs.js");

let host: TestHost;
let running: string;
let created: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return cliWithHost(host.hostName, ...args);
}

async function cliWithHost(hostName: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return cliWithEnv({ PULUMI_HCS_HOST: hostName }, ...args);
}

async function cliWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
            env: { ...process.env, PULUMI_HCS_LOG_LEVEL: "warn", ...env },
        });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

beforeAll(async () => {
    host = await startTestHost();
    running = randomUUID();
    created = randomUUID();
    const a = await host.client.createComputeSystem(running, await prepareVm(host.sim.root, host.client, running, { owner: "ops-test" }));
    await a.start();
    await a.close();
    const b = await host.client.createComputeSystem(created, await prepareVm(host.sim.root, host.client, created));
    await b.close();
});

afterAll(async () => {
    await host?.stop();
});

describe("pulumi-hcs ps", () => {
    it("lists ID, owner, state and runtime ID like hcsdiag list", async () => {
        const { code, stdout } = await cli("ps");
        expect(code).toBe(0);
        const lines = stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^ID\s+OWNER\s+STATE\s+RUNTIME ID$/);
        expect(lines.find((l) => l.startsWith(running))).toMatch(new RegExp(`^${running}\\s+ops-test\\s+Running\\s+[0-9a-f-]{36}$`));
        expect(lines.find((l) => l.startsWith(created))).toMatch(/\s+pulumi-hcs\s+Created\s+/);
    });

    it("filters by owner and prints JSON", async () => {
        const { code, stdout } = await cli("ps", "--owner", "ops-test", "--json");
        expect(code).toBe(0);
        const rows = JSON.parse(stdout) as { id: string; owner: string; state: string; runtimeId: string }[];
        expect(rows.map((r) => [r.id, r.owner, r.state])).toEqual([[running, "ops-test", "Running"]]);
    });

    // The contract differs by OS: with no --host and no PULUMI_HCS_HOST, Windows lists this machine's
    // compute systems through computecore.dll; elsewhere there is no host to default to.
    it(isWindows
        ? "targets the local host when no host is given on Windows"
        : "fails with exit 1 and a reason when no host is given on Linux", async () => {
        // A computecore that cannot load, so that "local" shows whatever the machine has (Wine: no HCS).
        const missing = path.join(host.sim.root, "no-such-computecore.dll");
        const { code, stdout, stderr } = await cliWithEnv({ PULUMI_HCS_HOST: "", PULUMI_HCS_COMPUTECORE: missing }, "ps");
        expect(code).toBe(1);
        expect(stdout).toBe("");
        if (isWindows) expect(stderr).toContain(`pulumi-hcs ps: Cannot load ${missing}: `);
        else expect(stderr).toContain("no host: pass --host sim:<socket path> or set PULUMI_HCS_HOST");
    });
});

describe("pulumi-hcs inspect", () => {
    it("prints the properties as JSON", async () => {
        const { code, stdout } = await cli("inspect", running);
        expect(code).toBe(0);
        const properties = JSON.parse(stdout) as { Id: string; State: string; Memory: unknown; TerminateOnLastHandleClosed: boolean };
        expect(properties.Id).toBe(running);
        expect(properties.State).toBe("Running");
        expect(properties.Memory).toBeDefined();
        expect(properties.TerminateOnLastHandleClosed).toBe(false);
    });

    it("says there is no such system, exit 1", async () => {
        const { code, stderr } = await cli("inspect", "no-such-vm");
        expect(code).toBe(1);
        expect(stderr).toContain("no compute system 'no-such-vm' on this host");
    });
});

describe("pulumi-hcs rm", () => {
    it("shuts a running system down, after which HCS removes it", async () => {
        const { code, stdout } = await cli("rm", running);
        expect(code).toBe(0);
        expect(stdout).toBe(`shut down ${running}\n`);
        expect(isNotFound(await host.client.openComputeSystem(running).catch((e: unknown) => e))).toBe(true);
    });

    it("terminates with --force", async () => {
        const { code, stdout } = await cli("rm", created, "--force");
        expect(code).toBe(0);
        expect(stdout).toBe(`terminated ${created}\n`);
        expect(isNotFound(await host.client.openComputeSystem(created).catch((e: unknown) => e))).toBe(true);
    });

    it("with --scratch, terminates the VM and releases the folder its marker gives it: disk, marker, folders", async () => {
        const { id } = await createVm(vmArgs(host, "rm-scratch"));
        const { code, stdout } = await cli("rm", id, "--scratch", "C:\\uvms\\rm-scratch");
        expect(code).toBe(0);
        expect(stdout).toBe(`terminated ${id}\nreleased C:\\uvms\\rm-scratch\n`);
        expect(await leftovers(host, id, "C:\\uvms\\rm-scratch")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("with --scratch, leaves a folder whose marker names another VM alone (exit 1 when nothing was done)", async () => {
        const { id } = await createVm(vmArgs(host, "rm-other"));
        const { code, stdout } = await cli("rm", "not-the-owner", "--scratch", "C:\\uvms\\rm-other");
        expect(code).toBe(1);
        expect(stdout).toContain("its owner marker does not name not-the-owner; left alone");
        const left = await leftovers(host, id, "C:\\uvms\\rm-other");
        expect(left.systems).toEqual([`${id} Running`]);
        expect(left.files).toContain(path.join("fs", "c", "uvms", "rm-other", "sandbox.vhdx"));
        expect((await cli("rm", id, "--scratch", "C:\\uvms\\rm-other")).code).toBe(0);
    });

    it("rejects a missing ID with usage, exit 2", async () => {
        const { code, stderr } = await cli("rm");
        expect(code).toBe(2);
        expect(stderr).toContain("give exactly one compute-system ID");
    });
});
