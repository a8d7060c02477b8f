/**
 * The host agent's VM lifecycle at the gRPC level, against a simulated host: request-ID replay,
 * idempotent delete, in-place updates, the WatchVms events, drain, a guest that never connects, and
 * what the agent does when it is killed (SIGKILL during a create, SIGKILL in steady state) or stopped
 * (SIGTERM). Every case then looks at the host itself (the simulator's systems, the files under
 * C:\uvms, the agent's records): the host holds what the agent reports, no orphan, no leaked file.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AgentCallError, AgentClient } from "../../provider/src/agent/agent-client";
import { agentVmHost } from "../../provider/src/agent/agent-vm-host";
import { agentApi, type WireEventKind, type WireUpdateVmResponse, type WireVm, type WireVmEvent } from "../../provider/src/agent/api";
import { loadClientCredentials } from "../../provider/src/agent/client-credentials";
import { DEFAULT_MEMORY_SIZE_IN_MB } from "../../provider/src/model/resolve";
import { UvmStepError } from "../../provider/src/uvm/step-error";
import { startTestAgent, type TestAgent, removeTestAgentFolders } from "../support/agent";
import { BASE_LAYER, eventually, simulatedConfiguration, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(60_000);

// The agent processes startTestAgent spawns, so a case can read an agent's exit status (the module
// object itself: a namespace import's bindings cannot be spied on).
const spawnSpy = jest.spyOn(require("node:child_process") as typeof import("node:child_process"), "spawn");
function lastAgentProcess(): ChildProcess {
    const results = spawnSpy.mock.results;
    return results[results.length - 1]!.value as ChildProcess;
}

let host: TestHost;
let agent: TestAgent;
let agentProcess: ChildProcess;
let operator: AgentClient;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    agent = await startTestAgent({ host: host.hostName });
    agentProcess = lastAgentProcess();
    operator = clientOf(agent);
});

afterEach(async () => {
    await host.sim.control.clearFaults();
    await sweep();
});

afterAll(async () => {
    operator?.close();
    await agent?.stop();
    await host?.stop();
    removeTestAgentFolders();
});

/**
 * After a case (each asserts its own cleanliness first): whatever a failed case left is removed, so
 * the next case starts on an empty host with a live agent.
 */
async function sweep(): Promise<void> {
    if (agentProcess.exitCode !== null || agentProcess.signalCode !== null) {
        agent = await agent.restart();
        agentProcess = lastAgentProcess();
    }
    const listed = await operator.call<{ vms: WireVm[] }>("ListVms", {}).catch(() => ({ vms: [] as WireVm[] }));
    for (const vm of listed.vms) await deleteVm(vm).catch(() => undefined);
    for (const id of (await hostSystems()).keys()) {
        const system = await host.client.openComputeSystem(id);
        await system.terminate().catch(() => undefined);
        await system.close();
    }
    fs.rmSync(path.join(host.sim.root, "fs", "c", "uvms"), { recursive: true, force: true });
}

/** A client of `agent` as `identity`, as the provider makes one. */
function clientOf(of: TestAgent, identity = "operator-1"): AgentClient {
    return new AgentClient(`agent-${identity}`, "127.0.0.1", of.port, loadClientCredentials(of.clientEnv(identity)));
}

/** A method of a client grpc-js made from the .proto (unary: request, options, callback; stream: request). */
type RawMethod = (request: object, ...rest: unknown[]) => unknown;
type RawClient = grpc.Client & Record<string, RawMethod>;

/** A plain grpc-js client of the HostAgent service (or Health), for streams and single attempts. */
function rawClient(of: TestAgent, identity: string, service: "hostAgent" | "health" = "hostAgent"): RawClient {
    const credentials = loadClientCredentials(of.clientEnv(identity));
    const Service = agentApi()[service];
    return new Service(`127.0.0.1:${of.port}`, grpc.credentials.createSsl(credentials.ca, credentials.key, credentials.cert)) as never;
}

function rawCall<T>(client: RawClient, method: string, request: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        client[method]!.call(client, request, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, response: T) => (err ? reject(err) : resolve(response)));
    });
}

const URN_PREFIX = "urn:pulumi:test::lifecycle::hcs:index:WcowUtilityVm::";

interface Spec {
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** A VM's inputs: its own scratch folder C:\uvms\<name> on the base layer. */
function specFor(name: string, extra: Record<string, unknown> = {}): Spec {
    return { name, inputs: { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}`], ...extra } };
}

function createRequest(spec: Spec, requestId: string = randomUUID(), budgetMs = 0): Record<string, unknown> {
    return { request_id: requestId, spec: { inputs_json: JSON.stringify(spec.inputs) }, resource: URN_PREFIX + spec.name, budget_ms: budgetMs };
}

function createVm(spec: Spec, requestId?: string, client: AgentClient = operator): Promise<WireVm> {
    return client.call<WireVm>("CreateVm", createRequest(spec, requestId), { mutation: true });
}

/** DeleteVm as the provider's delete sends it: the VM the state records. */
function deleteVm(vm: WireVm, client: AgentClient = operator): Promise<unknown> {
    return client.call("DeleteVm", {
        id: vm.id, runtime_id: vm.runtime_id, resource: vm.resource, budget_ms: 0, scratch_path: vm.scratch_path, scratch_created: vm.scratch_created,
    }, { mutation: true });
}

/** The gRPC status a call failed with. */
async function failureOf(call: Promise<unknown>): Promise<{ code: grpc.status; message: string; error: Error }> {
    try {
        await call;
    } catch (err) {
        const code = err instanceof AgentCallError ? err.code : err instanceof UvmStepError ? (err.cause as AgentCallError).code : (err as grpc.ServiceError).code;
        return { code, message: (err as Error).message, error: err as Error };
    }
    throw new Error("the call succeeded");
}

/** The compute systems the simulated host holds, by ID (lower case). */
async function hostSystems(): Promise<Map<string, string>> {
    const systems = await host.client.enumerateComputeSystems();
    return new Map(systems.map((s) => [String(s.Id).toLowerCase(), String(s.State)]));
}

/** Every file (not folder) under C:\uvms\<name> on the simulated host, relative to it. */
function filesOf(name: string): string[] {
    const root = path.join(host.sim.root, "fs", "c", "uvms", name);
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

function scratchFolderExists(name: string): boolean {
    return fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", name));
}

/** The agent's records (`<stateDir>/vms/*.json`), by VM ID. */
function recordsOf(of: TestAgent): Map<string, { phase: string; requestId: string }> {
    const folder = path.join(of.stateDir, "vms");
    const records = new Map<string, { phase: string; requestId: string }>();
    for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
        if (!name.endsWith(".json")) continue;
        const record = JSON.parse(fs.readFileSync(path.join(folder, name), "utf8")) as { id: string; phase: string; requestId: string };
        records.set(record.id.toLowerCase(), record);
    }
    return records;
}

/** The host holds exactly the VMs the agent lists (no orphan, nothing the agent lost), and its records agree. */
async function expectHostIsAgent(client: AgentClient = operator, of: TestAgent = agent): Promise<void> {
    const listed = (await client.call<{ vms: WireVm[] }>("ListVms", {})).vms.map((vm) => vm.id.toLowerCase()).sort();
    expect([...(await hostSystems()).keys()].sort()).toEqual(listed);
    expect([...recordsOf(of).keys()].sort()).toEqual(listed);
}

/**
 * No guest listener or connection of the agent's is bound (for the VM with `runtimeId`, or at all).
 * A socket closed while the agent's poller waits on it is closed when that poll ends (one 50 ms
 * slice, socket-poller.ts), so this waits a little.
 */
async function expectNoListenerFor(runtimeId?: string): Promise<void> {
    await eventually(async () => {
        const bound = (await host.sim.control.state()).hvSockets.filter((s) => runtimeId === undefined || s.vmId.toLowerCase() === runtimeId.toLowerCase());
        expect(bound).toEqual([]);
    }, 1000);
}

/** A VM gone for good: GetVm says NOT_FOUND, HCS has no such system, and its scratch folder's files are gone. */
async function expectGone(vm: WireVm, name: string, client: AgentClient = operator): Promise<void> {
    expect((await failureOf(client.call("GetVm", { id: vm.id }))).code).toBe(grpc.status.NOT_FOUND);
    expect((await hostSystems()).has(vm.id.toLowerCase())).toBe(false);
    await expectNoListenerFor(vm.runtime_id);
    expect(filesOf(name)).toEqual([]);
    // The create made the folder, so its delete removes it.
    expect(scratchFolderExists(name)).toBe(false);
}

/** A WatchVms stream and the events it received. */
interface Watch {
    readonly events: WireVmEvent[];
    kinds(id: string): WireEventKind[];
    close(): void;
}

/**
 * Opens WatchVms and returns once the agent is known to deliver to it: a delete of a VM that does not
 * exist (OK, and a DELETED event) has come through the stream.
 */
async function watch(of: TestAgent, client: AgentClient = operator): Promise<Watch> {
    const raw = rawClient(of, "reader-1");
    const stream = raw.WatchVms!({}) as grpc.ClientReadableStream<WireVmEvent>;
    const events: WireVmEvent[] = [];
    stream.on("data", (event: WireVmEvent) => events.push(event));
    stream.on("error", () => undefined); // cancelled by close()
    const marker = `watch-sync-${randomUUID()}`;
    await eventually(async () => {
        if (!events.some((e) => e.id === marker)) {
            await client.call("DeleteVm", { id: marker }, { mutation: true });
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(events.some((e) => e.id === marker)).toBe(true);
    }, 10_000);
    return {
        events,
        kinds: (id) => events.filter((e) => e.id.toLowerCase() === id.toLowerCase()).map((e) => e.kind),
        close: () => {
            stream.cancel();
            raw.close();
        },
    };
}

describe("CreateVm is idempotent by request ID", () => {
    it("a replay, a concurrent duplicate and a retry from a new client make one VM; another spec under the ID is refused", async () => {
        const spec = specFor("replay");
        const requestId = randomUUID();
        const first = await createVm(spec, requestId);
        const again = await createVm(spec, requestId);
        expect(again.id).toBe(first.id);
        expect(again.runtime_id).toBe(first.runtime_id);
        expect(again.request_id).toBe(requestId);
        expect([...(await hostSystems()).keys()]).toEqual([first.id.toLowerCase()]);

        // Finished, then retried by a new client (a new provider process, say).
        const fresh = clientOf(agent);
        try {
            const retried = await createVm(spec, requestId, fresh);
            expect([retried.id, retried.runtime_id]).toEqual([first.id, first.runtime_id]);
        } finally {
            fresh.close();
        }

        const other = await failureOf(createVm(specFor("replay", { memorySizeInMB: 2048 }), requestId));
        expect(other.code).toBe(grpc.status.ALREADY_EXISTS);
        expect(other.message).toContain(requestId);
        await expectHostIsAgent();

        await deleteVm(first);
        await expectGone(first, "replay");

        // Two at once, the same request: one create, one VM, one answer.
        const concurrentSpec = specFor("replay-concurrent");
        const concurrentId = randomUUID();
        const [a, b] = await Promise.all([createVm(concurrentSpec, concurrentId), createVm(concurrentSpec, concurrentId)]);
        expect(b.id).toBe(a.id);
        expect(b.runtime_id).toBe(a.runtime_id);
        const systems = await hostSystems();
        expect([...systems.keys()]).toEqual([a.id.toLowerCase()]);
        expect((await operator.call<WireVm>("GetVm", { id: a.id })).runtime_id).toBe(a.runtime_id);
        await expectHostIsAgent();
        await deleteVm(a);
        await expectGone(a, "replay-concurrent");
        await expectHostIsAgent();
    });
});

describe("DeleteVm is idempotent", () => {
    it("a VM that does not exist is deleted already; a second delete is OK; nothing is left", async () => {
        await operator.call("DeleteVm", { id: "never-existed", runtime_id: "", resource: URN_PREFIX + "never-existed" }, { mutation: true });

        // A folder the test made itself stays: delete removes only what create made.
        const own = path.join(host.sim.root, "fs", "c", "uvms", "delete-own");
        fs.mkdirSync(own, { recursive: true });
        fs.writeFileSync(path.join(own, "keep.txt"), "the test's own file\n");
        const vm = await createVm(specFor("delete-own/vm"));
        expect(filesOf("delete-own").sort()).toEqual(expect.arrayContaining(["keep.txt", path.join("vm", "sandbox.vhdx")]));
        await deleteVm(vm);
        await deleteVm(vm);
        expect((await failureOf(operator.call("GetVm", { id: vm.id }))).code).toBe(grpc.status.NOT_FOUND);
        expect(filesOf("delete-own")).toEqual(["keep.txt"]);
        expect(scratchFolderExists(path.join("delete-own", "vm"))).toBe(false);
        fs.rmSync(own, { recursive: true });
        await expectHostIsAgent();
    });
});

describe("UpdateVm", () => {
    it("changes the processor limit in place, and starts a created VM with its guest connected", async () => {
        const spec = specFor("update", { processorLimit: 50_000 });
        const vm = await createVm(spec);
        const vmHost = await agentVmHost(operator);
        // The current settings as agent-vm-host.ts sends them (UpdateVmRequest.current), the desired as inputs.
        const current = { processorLimit: 50_000, processorWeight: 0, memorySizeInMB: DEFAULT_MEMORY_SIZE_IN_MB, start: true, state: "Running" };
        const limited = await operator.call<WireUpdateVmResponse>("UpdateVm", {
            id: vm.id,
            current: { inputs_json: JSON.stringify(current) },
            desired: { inputs_json: JSON.stringify({ ...spec.inputs, processorLimit: 25_000 }) },
            budget_ms: 0,
        }, { mutation: true });
        expect(limited.failures).toEqual([]);
        expect(limited.applied).toEqual(["processorLimit"]);
        expect((await simulatedConfiguration(host, vm.id)).VirtualMachine.ComputeTopology.Processor.Limit).toBe(25_000);
        expect(limited.vm).toMatchObject({ id: vm.id, runtime_id: vm.runtime_id, state: "Running" });
        await deleteVm(vm);
        await expectGone(vm, "update");

        // start false → true, through the provider's own view of the agent.
        const idle = await createVm(specFor("update-start", { start: false }));
        expect(idle).toMatchObject({ state: "Created", guest_connection: "GUEST_CONNECTION_NONE" });
        const settings = { processorLimit: 0, processorWeight: 0, memorySizeInMB: DEFAULT_MEMORY_SIZE_IN_MB };
        const outcome = await vmHost.updateVm({
            requestId: randomUUID(),
            id: idle.id,
            current: { ...settings, start: false, state: "Created" },
            // The provider sends its resolved options: the inputs, every default applied.
            desired: { ...settings, ...specFor("update-start").inputs, start: true },
        });
        expect(outcome).toMatchObject({ applied: ["start"], failures: [], state: "Running", guest: { guestConnection: "connected" } });
        const started = await operator.call<WireVm>("GetVm", { id: idle.id });
        expect(started).toMatchObject({ state: "Running", guest_connection: "GUEST_CONNECTION_CONNECTED", runtime_id: idle.runtime_id });
        expect((await hostSystems()).get(idle.id.toLowerCase())).toBe("Running");
        await expectHostIsAgent();
        await deleteVm(idle);
        await expectGone(idle, "update-start");
    });
});

describe("WatchVms", () => {
    it("reports a VM's create, guest, start and delete, and a VM that dies out of band as EXITED", async () => {
        const events = await watch(agent);
        try {
            const vm = await createVm(specFor("watch"));
            await eventually(() => expect(events.kinds(vm.id)).toContain("STARTED"));
            // As the agent emits them: the guest connects inside the create, which then reports CREATED and STARTED.
            expect(events.kinds(vm.id)).toEqual(["GUEST_CONNECTED", "CREATED", "STARTED"]);
            await deleteVm(vm);
            await eventually(() => expect(events.kinds(vm.id)).toEqual(["GUEST_CONNECTED", "CREATED", "STARTED", "DELETED"]));
            await expectGone(vm, "watch");

            const doomed = await createVm(specFor("watch-exit"));
            const system = await host.client.openComputeSystem(doomed.id);
            try {
                await system.terminate();
            } finally {
                await system.close();
            }
            await eventually(() => expect(events.kinds(doomed.id)).toEqual(["GUEST_CONNECTED", "CREATED", "STARTED", "EXITED"]));
            const exited = events.events.find((e) => e.id === doomed.id && e.kind === "EXITED")!;
            expect(exited.runtime_id).toBe(doomed.runtime_id);
            expect(exited.message).not.toBe("");
            expect((await failureOf(operator.call("GetVm", { id: doomed.id }))).code).toBe(grpc.status.NOT_FOUND);
            await eventually(async () => expect((await hostSystems()).has(doomed.id.toLowerCase())).toBe(false));
            // What Pulumi's refresh does with a VM gone: its delete releases the files.
            await deleteVm(doomed);
            await expectGone(doomed, "watch-exit");
            await expectHostIsAgent();
        } finally {
            events.close();
        }
    });
});

describe("a guest that never connects", () => {
    it("fails the create within its budget, naming the timeout and the step, and leaves nothing", async () => {
        await host.sim.control.guestFault("never-dial");
        const spec = specFor("never-dial");
        const requestId = randomUUID();
        const started = Date.now();
        const failure = await failureOf(operator.call<WireVm>("CreateVm", createRequest(spec, requestId, 3000), { mutation: true, deadlineMs: 33_000 }));
        const elapsed = Date.now() - started;
        console.info(`never-dial with budget_ms 3000: CreateVm failed after ${elapsed} ms: ${failure.message}`);
        expect(elapsed).toBeGreaterThanOrEqual(2500);
        expect(elapsed).toBeLessThan(8000);
        expect(failure.error).toBeInstanceOf(UvmStepError);
        expect((failure.error as UvmStepError).step).toBe("failed to connect to GCS");
        expect(failure.message).toContain("failed to connect to GCS");
        expect(failure.message).toContain("HCS_E_CONNECTION_TIMEOUT");
        const id = (failure.error as UvmStepError).computeSystemId.toLowerCase();
        expect((await hostSystems()).has(id)).toBe(false);
        expect(filesOf("never-dial")).toEqual([]);
        expect(scratchFolderExists("never-dial")).toBe(false);
        expect(recordsOf(agent).has(id)).toBe(false);
        expect([...recordsOf(agent).values()].filter((r) => r.requestId === requestId)).toEqual([]);
        await expectNoListenerFor();
        await expectHostIsAgent();
    });
});

describe("kill -9 of the agent", () => {
    it("during a create: the call fails UNAVAILABLE; the next start undoes the create; the same spec creates again", async () => {
        await host.sim.control.guestFault("never-dial");
        const spec = specFor("killed-create");
        const creating = createVm(spec);
        creating.catch(() => undefined);
        // Hanging in the guest-connection wait: the VM runs and the agent listens for its guest.
        await eventually(async () => {
            const state = await host.sim.control.state();
            expect(state.systems.filter((s) => s.state === "Running")).toHaveLength(1);
            expect(state.hvSockets).toHaveLength(1);
        }, 10_000);
        const id = (await host.sim.control.state()).systems[0]!.id.toLowerCase();
        expect(recordsOf(agent).get(id)?.phase).toBe("creating");

        const killed = Date.now();
        await agent.kill();
        const failure = await failureOf(creating);
        const gaveUpMs = Date.now() - killed;
        console.info(`kill -9 during CreateVm: the client gave up after ${gaveUpMs} ms: ${failure.message}`);
        expect(failure.code).toBe(grpc.status.UNAVAILABLE);
        // Four attempts, 0.5 + 1 + 2 s apart: bounded, a few seconds.
        expect(gaveUpMs).toBeGreaterThanOrEqual(3000);
        expect(gaveUpMs).toBeLessThan(10_000);
        // The VM outlives the agent (terminateOnLastHandleClosed false) until the next start.
        expect((await hostSystems()).has(id)).toBe(true);

        agent = await agent.restart();
        agentProcess = lastAgentProcess();
        expect(agent.output()).toMatch(/1 interrupted creates undone, 0 VMs without their guest removed, 0 kept/);
        expect((await hostSystems()).has(id)).toBe(false);
        expect(filesOf("killed-create")).toEqual([]);
        expect(scratchFolderExists("killed-create")).toBe(false);
        expect(recordsOf(agent).size).toBe(0);
        await host.sim.control.clearFaults();

        const vm = await createVm(spec);
        expect(vm.id.toLowerCase()).toBe(id);
        expect(vm).toMatchObject({ state: "Running", guest_connection: "GUEST_CONNECTION_CONNECTED" });
        await expectHostIsAgent();
        await deleteVm(vm);
        await expectGone(vm, "killed-create");
    });

    it("in steady state: the next start removes the VMs whose guest it held, keeps the one never started, and says so", async () => {
        const [one, two, idle] = await Promise.all([
            createVm(specFor("steady-1")),
            createVm(specFor("steady-2")),
            createVm(specFor("steady-idle", { start: false })),
        ]);
        expect([one.guest_connection, two.guest_connection, idle.guest_connection])
            .toEqual(["GUEST_CONNECTION_CONNECTED", "GUEST_CONNECTION_CONNECTED", "GUEST_CONNECTION_NONE"]);
        await expectHostIsAgent();

        await agent.kill();
        expect((await hostSystems()).size).toBe(3);
        agent = await agent.restart();
        agentProcess = lastAgentProcess();
        expect(agent.output()).toMatch(/0 interrupted creates undone, 2 VMs without their guest removed, 1 kept/);

        // What Pulumi's refresh would see: two gone, one there.
        const systems = await hostSystems();
        expect([...systems.entries()]).toEqual([[idle.id.toLowerCase(), "Created"]]);
        expect(filesOf("steady-1")).toEqual([]);
        expect(filesOf("steady-2")).toEqual([]);
        expect(filesOf("steady-idle").sort()).toEqual(["pulumi-hcs.folder", "pulumi-hcs.json", "sandbox.vhdx"]);
        expect(await operator.call<WireVm>("GetVm", { id: idle.id })).toMatchObject({ id: idle.id, runtime_id: idle.runtime_id, state: "Created", guest_connection: "GUEST_CONNECTION_NONE" });
        expect((await operator.call<{ vms: WireVm[] }>("ListVms", {})).vms.map((vm) => vm.id)).toEqual([idle.id]);
        for (const gone of [one, two]) expect((await failureOf(operator.call("GetVm", { id: gone.id }))).code).toBe(grpc.status.NOT_FOUND);
        await expectHostIsAgent();

        // A watcher that comes later still learns what the start found.
        const events = await watch(agent);
        try {
            const found = events.events.filter((e) => e.kind === "FOUND_AT_START");
            expect(found.map((e) => e.id.toLowerCase()).sort()).toEqual([one.id, two.id].map((id) => id.toLowerCase()).sort());
            expect(found.find((e) => e.id.toLowerCase() === one.id.toLowerCase())!.runtime_id).toBe(one.runtime_id);
            expect(events.kinds(idle.id)).toEqual(["EXISTING"]);
        } finally {
            events.close();
        }

        // Pulumi's refresh or destroy deletes the removed ones: OK, nothing to do.
        await deleteVm(one);
        await deleteVm(two);
        await expectGone(one, "steady-1");
        await expectGone(two, "steady-2");
        await deleteVm(idle);
        await expectGone(idle, "steady-idle");
        await expectHostIsAgent();
    });
});

describe("SIGTERM of the agent", () => {
    it("exits 0 promptly; its VMs keep running until the next start, which removes the connected one", async () => {
        const [running, idle] = await Promise.all([createVm(specFor("sigterm-run")), createVm(specFor("sigterm-idle", { start: false }))]);
        const stopping = Date.now();
        await agent.stop();
        const stopMs = Date.now() - stopping;
        console.info(`SIGTERM: the agent exited with ${agentProcess.exitCode} (signal ${agentProcess.signalCode}) after ${stopMs} ms`);
        expect(agentProcess.exitCode).toBe(0);
        expect(stopMs).toBeLessThan(3000);

        await new Promise((resolve) => setTimeout(resolve, 500));
        const afterStop = await hostSystems();
        expect(afterStop.get(running.id.toLowerCase())).toBe("Running");
        expect(afterStop.get(idle.id.toLowerCase())).toBe("Created");
        expect(filesOf("sigterm-run")).toContain("sandbox.vhdx");

        agent = await agent.restart();
        agentProcess = lastAgentProcess();
        expect(agent.output()).toMatch(/0 interrupted creates undone, 1 VMs without their guest removed, 1 kept/);
        expect([...(await hostSystems()).keys()]).toEqual([idle.id.toLowerCase()]);
        expect(filesOf("sigterm-run")).toEqual([]);
        await expectHostIsAgent();
        await deleteVm(running);
        await deleteVm(idle);
        await expectGone(running, "sigterm-run");
        await expectGone(idle, "sigterm-idle");
    });
});

describe("Drain", () => {
    it("returns the held VMs, then refuses changes (UNAVAILABLE) and reports NOT_SERVING", async () => {
        // Its own agent: a drained agent takes no more changes until it restarts.
        const drained = await startTestAgent({ host: host.hostName });
        const client = clientOf(drained);
        const admin = rawClient(drained, "admin-1");
        const health = rawClient(drained, "admin-1", "health");
        try {
            const vm = await createVm(specFor("drain"), undefined, client);
            expect(await rawCall(health, "Check", { service: "" })).toEqual({ status: "SERVING" });

            const answer = await rawCall<{ held_vm_ids: string[] }>(admin, "Drain", {});
            expect(answer.held_vm_ids.map((id) => id.toLowerCase())).toEqual([vm.id.toLowerCase()]);

            const refused = await failureOf(rawCall(admin, "CreateVm", createRequest(specFor("drain-refused"))));
            expect(refused.code).toBe(grpc.status.UNAVAILABLE);
            expect(refused.message).toMatch(/draining/);
            // The provider's client retries only an agent it could not reach: the agent's own UNAVAILABLE is its answer, given at once.
            const auditedBefore = drained.auditLines().length;
            const viaClient = await failureOf(createVm(specFor("drain-refused"), undefined, client));
            expect(viaClient.code).toBe(grpc.status.UNAVAILABLE);
            expect(viaClient.message).toMatch(/draining/);
            // One attempt, one audited refusal (a retried call would be audited once per attempt).
            expect(drained.auditLines().slice(auditedBefore).filter((l) => l.method === "CreateVm")).toHaveLength(1);
            expect(await rawCall(health, "Check", { service: "" })).toEqual({ status: "NOT_SERVING" });
            expect(scratchFolderExists("drain-refused")).toBe(false);
            expect((await hostSystems()).size).toBe(1);

            // The upgrade's next step: stop, start again; the VM whose guest it held is removed.
            const restarted = await drained.restart();
            try {
                expect(restarted.output()).toMatch(/1 VMs without their guest removed/);
                expect((await hostSystems()).size).toBe(0);
                expect(filesOf("drain")).toEqual([]);
                await deleteVm(vm, client);
                await expectGone(vm, "drain", client);
                await expectHostIsAgent(client, restarted);
            } finally {
                await restarted.stop();
            }
        } finally {
            admin.close();
            health.close();
            client.close();
            await drained.stop();
        }
    });
});
