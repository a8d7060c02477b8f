/**
 * `pulumi-hcs ps`, `inspect`, `rm` and `--version` as an operator runs them, against a simulated host
 * through the binding (the same path that reaches computecore.dll on Windows).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { type ComputeSystem, isNotFound } from "../../provider/src/hcs";
import { NIL_GUID } from "../../provider/src/model/guid";
import { isWindows } from "../../provider/src/platform";
import { createVm, leftovers, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../provider/bin/pulumi-hcs.js");

let host: TestHost;
let running: string;
let created: string;
/** A VM the provider created for a Pulumi resource, with in-place settings set. */
let named: { id: string; runtimeId: string };
/** A VM that stopped but still exists, because this process keeps a handle to it. */
let stopped: string;
let stoppedHandle: ComputeSystem | undefined;
/** When `running` was started: its start time must lie between these. */
let startWindow: { from: number; to: number };

const NAMED_URN = "urn:pulumi:ops::fleet::pulumi-hcs:index:WcowUtilityVm::build-agent";
const CPU_GROUP = "4f2c9a1e-7d3b-4c5a-9e8f-0a1b2c3d4e5f";

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

/** The shortest prefix of `id` that no other listed ID starts with. */
function uniquePrefix(id: string, ids: readonly string[]): string {
    for (let n = 1; n <= id.length; n++) {
        const prefix = id.slice(0, n);
        if (ids.filter((other) => other.toLowerCase().startsWith(prefix.toLowerCase())).length === 1) return prefix;
    }
    return id;
}

async function listedIds(): Promise<string[]> {
    return (await host.client.enumerateComputeSystems()).map((p) => p.Id);
}

interface PsRow {
    id: string; name: string | null; resource: string | null; owner: string; state: string; runtimeId: string;
    startedAt: string | null; ageSeconds: number | null; processorCount: number | null; assignedMemoryInMB: number | null;
}

beforeAll(async () => {
    host = await startTestHost();
    running = randomUUID();
    created = randomUUID();
    stopped = randomUUID();
    const a = await host.client.createComputeSystem(running, await prepareVm(host.sim.root, host.client, running, { owner: "ops-test" }));
    const from = Date.now();
    await a.start();
    startWindow = { from, to: Date.now() };
    await a.close();
    const b = await host.client.createComputeSystem(created, await prepareVm(host.sim.root, host.client, created));
    await b.close();
    const vm = await createVm(vmArgs(host, "ps-named", {
        processorCount: 4, memorySizeInMB: 1536, processorLimit: 30000, processorWeight: 300, cpuGroupId: CPU_GROUP, __resource: NAMED_URN,
    }));
    named = { id: vm.id, runtimeId: vm.outs.runtimeId as string };
    stoppedHandle = await host.client.createComputeSystem(stopped, await prepareVm(host.sim.root, host.client, stopped, { memorySizeInMB: 2048 }));
    await stoppedHandle.start();
    await host.sim.control.kill(stopped);
});

afterAll(async () => {
    await stoppedHandle?.close();
    await host?.stop();
});

describe("pulumi-hcs ps", () => {
    it("lists ID, resource name, owner, state, age, processors, memory and runtime ID", async () => {
        const { code, stdout } = await cli("ps");
        expect(code).toBe(0);
        const lines = stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^ID\s+NAME\s+OWNER\s+STATE\s+AGE\s+CPUS\s+MEMORY\s+RUNTIME ID$/);
        const row = (id: string) => lines.find((l) => l.startsWith(id))?.split(/\s{2,}/);
        expect(row(named.id)).toEqual([named.id, "build-agent", "pulumi-hcs", "Running", expect.stringMatching(/^\d+[smhd]$/), "4", "1536 MB", named.runtimeId]);
        // A VM made outside pulumi-hcs has no owner marker, so no resource name.
        expect(row(running)).toEqual([running, "-", "ops-test", "Running", expect.stringMatching(/^\d+[smhd]$/), "2", "1024 MB", expect.stringMatching(/^[0-9a-f-]{36}$/)]);
        expect(row(created)?.slice(0, 4)).toEqual([created, "-", "pulumi-hcs", "Created"]);
        // HCS reports no memory or statistics of a stopped VM.
        expect(row(stopped)).toEqual([stopped, "-", "pulumi-hcs", "Stopped", "-", "-", "-", expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    });

    it("filters by owner and prints JSON, with the URN, the start time and null for what the host does not report", async () => {
        const { code, stdout } = await cli("ps", "--owner", "ops-test", "--json");
        expect(code).toBe(0);
        const rows = JSON.parse(stdout) as PsRow[];
        expect(rows.map((r) => [r.id, r.owner, r.state, r.name, r.processorCount, r.assignedMemoryInMB])).toEqual([[running, "ops-test", "Running", null, 2, 1024]]);
        const startedAt = Date.parse(rows[0]!.startedAt!);
        // The host's clock and ours are one machine's; its times are whole milliseconds.
        expect(startedAt).toBeGreaterThanOrEqual(startWindow.from);
        expect(startedAt).toBeLessThanOrEqual(startWindow.to);
        expect(rows[0]!.ageSeconds).toBeLessThanOrEqual(Math.ceil((Date.now() - startWindow.from) / 1000));

        const all = JSON.parse((await cli("ps", "--json")).stdout) as PsRow[];
        expect(all.find((r) => r.id === named.id)).toMatchObject({ name: "build-agent", resource: NAMED_URN, processorCount: 4, assignedMemoryInMB: 1536 });
        expect(all.find((r) => r.id === stopped)).toMatchObject({ state: "Stopped", startedAt: null, ageSeconds: null, processorCount: null, assignedMemoryInMB: null });
    });

    it("still lists a system that refuses Memory and Statistics for another reason than having stopped, with - for them", async () => {
        // ERROR_NOT_SUPPORTED, as a Windows host may answer for a system it keeps no such numbers for.
        await host.sim.control.failNext("HcsGetComputeSystemProperties", "0x80070032");
        const { code, stdout, stderr } = await cli("ps", "--owner", "ops-test");
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(stdout.trimEnd().split("\n")[1]!.split(/\s{2,}/)).toEqual([running, "-", "ops-test", "Running", "-", "-", "-", expect.stringMatching(/^[0-9a-f-]{36}$/)]);
        expect(await host.sim.control.listFaults()).toEqual([]);
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
    it("shows the in-place settings (limit, weight, CPU group) and the resource, with HCS's own answer", async () => {
        const { code, stdout } = await cli("inspect", named.id);
        expect(code).toBe(0);
        const shown = JSON.parse(stdout) as Record<string, unknown> & { properties: Record<string, unknown> };
        expect(shown).toMatchObject({
            id: named.id, name: "build-agent", resource: NAMED_URN, owner: "pulumi-hcs", state: "Running", runtimeId: named.runtimeId,
            processorCount: 4, assignedMemoryInMB: 1536, processorLimit: 30000, processorWeight: 300, cpuGroupId: CPU_GROUP,
            terminateOnLastHandleClosed: false, scratchFolder: "C:\\uvms\\ps-named",
        });
        expect(shown.properties).toMatchObject({ Id: named.id, State: "Running", TerminateOnLastHandleClosed: false, CpuGroup: { Id: CPU_GROUP } });
        expect(shown.properties.Memory).toBeDefined();
        expect(shown.properties.Statistics).toBeDefined();
    });

    it("shows 0 (the platform default) and the null CPU group for a VM that sets none", async () => {
        const shown = JSON.parse((await cli("inspect", running)).stdout) as Record<string, unknown>;
        expect(shown).toMatchObject({ id: running, owner: "ops-test", processorLimit: 0, processorWeight: 0, cpuGroupId: NIL_GUID, name: null, resource: null });
        expect(shown.scratchFolder).toBe(`C:\\uvms\\${running}`);
    });

    it("takes a prefix only one ID starts with, in any case", async () => {
        const prefix = uniquePrefix(named.id, await listedIds());
        for (const given of [prefix, prefix.toUpperCase()]) {
            const { code, stdout } = await cli("inspect", given);
            expect(code).toBe(0);
            expect((JSON.parse(stdout) as { id: string }).id).toBe(named.id);
        }
    });

    it("refuses a prefix several IDs start with, listing them (exit 1)", async () => {
        const stem = `ambiguous-${randomUUID().slice(0, 8)}`;
        for (const id of [`${stem}-1`, `${stem}-2`]) {
            const system = await host.client.createComputeSystem(id, await prepareVm(host.sim.root, host.client, id));
            await system.close();
        }
        const { code, stdout, stderr } = await cli("inspect", stem);
        expect(code).toBe(1);
        expect(stdout).toBe("");
        expect(stderr).toBe(`pulumi-hcs inspect: '${stem}' is ambiguous: 2 compute-system IDs start with it (${stem}-1, ${stem}-2); give more of the ID\n`);
        // A whole ID is taken as it is, even when it is also the start of another.
        for (const id of [`${stem}-1`, `${stem}-2`]) expect((await cli("rm", id, "--force")).stdout).toBe(`terminated ${id}\n`);
    });

    it("says there is no such system, exit 1", async () => {
        const { code, stderr } = await cli("inspect", "no-such-vm");
        expect(code).toBe(1);
        expect(stderr).toBe("pulumi-hcs inspect: no compute system 'no-such-vm' on this host: no ID is or starts with it (`pulumi-hcs ps` lists them)\n");
    });

    it("refuses an empty ID with usage, exit 2", async () => {
        const { code, stderr } = await cli("inspect", "");
        expect(code).toBe(2);
        expect(stderr).toContain("give exactly one compute-system ID");
    });
});

describe("pulumi-hcs --version", () => {
    it("prints the provider package's version", async () => {
        const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../provider/package.json"), "utf8")) as { version: string };
        const { code, stdout } = await cliWithEnv({}, "--version");
        expect(code).toBe(0);
        expect(stdout).toBe(`pulumi-hcs ${manifest.version}\n`);
    });
});

describe("pulumi-hcs rm", () => {
    it("shuts a running system down, after which HCS removes it", async () => {
        const { code, stdout } = await cli("rm", running);
        expect(code).toBe(0);
        expect(stdout).toBe(`shut down ${running}\n`);
        expect(isNotFound(await host.client.openComputeSystem(running).catch((e: unknown) => e))).toBe(true);
    });

    it("terminates with --force, given a prefix only its ID starts with", async () => {
        const { code, stdout } = await cli("rm", uniquePrefix(created, await listedIds()), "--force");
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
