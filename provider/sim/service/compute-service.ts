/**
 * The simulated Host Compute Service: compute systems, their state machine, per-connection handles,
 * property and service queries, modify requests and file-access grants. It plays vmcompute; the
 * server (server.ts) feeds it the calls the native library forwards.
 *
 * Every call is synchronous here; delays and faults are applied around it by the server. A failed
 * call throws HcsFailure, which carries the HRESULT and the ResultError document.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Logger } from "../../src/log/logger";
import {
    checkComputeSystemDocument, checkLimits, CPU_GROUP_MIN_BUILD, dig, supportedSchemaVersions, type HostFacts, type Json,
} from "./compute-system-document";
import { attachedDisks, checkAttachment, checkDocumentFiles, checkShare } from "./document-files";
import { GrantStore, missingPathFailure } from "./grants";
import { appendJournal, loadHost, loadOrCreateHostId, saveHostJson, type ExitType, type PersistedSystem, type SystemState } from "./host-store";
import { HcsFailure, HR, EVENT_IDS } from "./hresults";
import { OpenDisks, type OpenDiskView } from "./open-disks";
import { SERVICE_PROPERTY_TYPES, SYSTEM_PROPERTY_TYPES } from "./schema";
import { invalidJson, parseJson, parseOptional, validateStruct, type SchemaProblem } from "./validate";
import { mapWindowsPath } from "./windows-path";

/** HCS_EVENT_TYPE values the service sends. */
export const EVENT_SYSTEM_EXITED = 1;

export const NULL_CPU_GROUP = "00000000-0000-0000-0000-000000000000";

/** The simulator's version, reported in the `Simulator` service property. */
export const SIMULATOR_VERSION = "0.1.0";

/** A client connection (one native-library process), as the service sees it. */
export interface ClientConnection {
    readonly id: number;
    readonly pid: number | undefined;
    readonly transport: "unix" | "tcp";
    readonly handles: Map<number, SystemHandle>;
    readonly closed: boolean;
    sendEvent(handleId: number, type: number, data: string | null): void;
}

/** An HCS_SYSTEM handle: per connection, never persisted. */
export interface SystemHandle {
    readonly id: number;
    readonly conn: ClientConnection;
    /** The system, or undefined while its create is pending or after the create failed. */
    system: SystemRecord | undefined;
    callback: boolean;
    callbackOptions: number;
    /** Settles when the create that made this handle has been processed. */
    ready: Promise<void> | undefined;
}

export interface SystemRecord extends PersistedSystem {
    readonly handles: Set<SystemHandle>;
}

export interface ComputeServiceOptions {
    readonly root: string;
    readonly build: number;
    readonly logicalProcessors: number;
    readonly log: Logger;
    /** Told when systems start, stop and go away (the simulated guests boot and power off with them). */
    readonly lifecycle?: SystemLifecycle;
    /** The host's time zone, reported in the `Simulator` service property (host-time-zone.ts). */
    readonly timeZone?: unknown;
}

/** What happens to a system that its guest cares about. */
export interface SystemLifecycle {
    /** Created → Running. */
    started(system: SystemRecord): void;
    /** Any state → Stopped. */
    stopped(system: SystemRecord): void;
    /** The system no longer exists. */
    removed(system: SystemRecord): void;
    /** The system was running (or paused) when the service restarted, and still is. */
    restored(system: SystemRecord): void;
}

function obj(v: unknown): Json | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function invalidState(message: string): HcsFailure {
    return new HcsFailure(HR.HCS_E_INVALID_STATE, message, undefined, EVENT_IDS.invalidState);
}

/** Makes (and returns) the object at `path` inside `doc`. */
function ensurePath(doc: Json, names: string[]): Json {
    let cur = doc;
    for (const name of names) {
        const next = obj(cur[name]);
        if (next) cur = next;
        else {
            const created: Json = {};
            cur[name] = created;
            cur = created;
        }
    }
    return cur;
}

export class ComputeService {
    readonly root: string;
    readonly host: HostFacts;
    /** The host's identity (`<root>/host-id`), reported in the `Simulator` service property as `HostId`. */
    readonly hostId: string;
    private readonly log: Logger;
    private readonly systems = new Map<string, SystemRecord>(); // key: lower-cased ID
    private readonly grants: GrantStore;
    /** The virtual disks each live system holds open (released when it stops). */
    private readonly openDisks = new OpenDisks();
    /** Whether the host changed since state.json was last written. */
    private unsaved = false;
    /** Each system's JSON in state.json, until it changes: a flush re-serializes only what changed. */
    private readonly systemJson = new WeakMap<SystemRecord, string>();
    private flushScheduled = false;
    private readonly lifecycle: SystemLifecycle | undefined;
    private readonly timeZone: unknown;
    /** The systems changed and removed (lower-cased IDs) since the last flush: its journal lines. */
    private readonly changedSystems = new Set<SystemRecord>();
    private readonly removedSystems = new Set<string>();
    /** A change the journal cannot say (systems dropped at restore): the next flush writes a snapshot. */
    private snapshotDue = true;
    /** Lines in state.journal since the last snapshot. */
    private journalLines = 0;

    constructor(options: ComputeServiceOptions) {
        this.root = path.resolve(options.root);
        this.host = { build: options.build, logicalProcessors: options.logicalProcessors };
        this.log = options.log;
        this.lifecycle = options.lifecycle;
        this.timeZone = options.timeZone;
        this.hostId = loadOrCreateHostId(this.root);
        const persisted = loadHost(this.root);
        this.grants = new GrantStore(this.root, persisted.grants);
        this.restore(persisted.systems);
        this.flush();
    }

    /**
     * Applies the restart policy (docs/simulator.md): the host stays up while the service restarts,
     * so systems keep their state; but no handle survives a restart, so systems that terminate on
     * their last handle are terminated, and stopped systems (kept only by handles) are removed.
     */
    private restore(systems: readonly PersistedSystem[]): void {
        let changed = false;
        for (const s of systems) {
            if (s.state === "Stopped") {
                this.log.info({ id: s.id }, "removed stopped compute system: its handles did not survive the service restart");
                changed = true;
                continue;
            }
            if (s.terminateOnLastHandleClosed) {
                this.log.info({ id: s.id, from: s.state, to: "Stopped", exitType: "ForcedExit" },
                    "terminated compute system: ShouldTerminateOnLastHandleClosed and no handle survives a service restart");
                changed = true;
                continue;
            }
            const restored: SystemRecord = { ...s, handles: new Set() };
            this.systems.set(s.id.toLowerCase(), restored);
            // The VM kept running while the service restarted, and so did its worker process's opens.
            this.openDisks.restore(s.id, attachedDisks(this.root, s.document));
            if (s.state === "Running" || s.state === "Paused") this.lifecycle?.restored(restored);
        }
        if (changed) {
            this.snapshotDue = true;
            this.persist();
        }
    }

    /**
     * Notes that the host changed; `flush` writes it. The server flushes before any reply or event
     * leaves, so no client hears of a change a crash could still lose, and a flush also runs by
     * itself at the end of this turn of the event loop (for changes no reply follows, such as a
     * client going away). The calls handled in one turn share one write: state.json holds every
     * system, and writing it after each change made a pool's up and destroy quadratic in its size
     * (bench/README.md).
     */
    private persist(): void {
        this.unsaved = true;
        if (this.flushScheduled) return;
        this.flushScheduled = true;
        setImmediate(() => {
            this.flushScheduled = false;
            this.flush();
        });
    }

    /** `persist` for a change to `system` itself (its state, its configuration). */
    private systemChanged(system: SystemRecord): void {
        this.systemJson.delete(system);
        this.changedSystems.add(system);
        this.persist();
    }

    /** Whether a change waits to be written by `flush`. */
    get hasUnsavedChanges(): boolean {
        return this.unsaved;
    }

    /**
     * Records the changes since the last flush: as lines appended to state.journal, or, when the
     * journal has outgrown the host (or a change has no line), as a new state.json. A failed write
     * is logged and retried at the next flush (as a snapshot); the service goes on from its memory.
     */
    flush(): void {
        if (!this.unsaved) return;
        this.unsaved = false;
        const lines = this.journalEntries();
        if (!this.snapshotDue && this.journalLines + lines.length <= 64 + 4 * this.systems.size) {
            try {
                appendJournal(this.root, lines);
                this.journalLines += lines.length;
                return;
            } catch (err) {
                this.log.error({ root: this.root, err: (err as Error).message }, "cannot append to the simulated host's journal; writing a snapshot");
            }
        }
        this.writeSnapshot();
    }

    /** The journal lines of the changes since the last flush (and forgets them). */
    private journalEntries(): string[] {
        const lines: string[] = [];
        for (const system of this.changedSystems) {
            if (this.systems.get(system.id.toLowerCase()) === system) lines.push(`{"system":${this.persistedJson(system)}}`);
        }
        for (const id of this.removedSystems) if (!this.systems.has(id)) lines.push(JSON.stringify({ removed: id }));
        for (const change of this.grants.takeChanges()) lines.push(JSON.stringify(change));
        this.changedSystems.clear();
        this.removedSystems.clear();
        return lines;
    }

    /** A system's JSON as state.json and the journal hold it (PersistedSystem), serialized once per change. */
    private persistedJson(system: SystemRecord): string {
        let json = this.systemJson.get(system);
        if (json === undefined) {
            const { handles: _handles, ...persisted } = system;
            json = JSON.stringify(persisted satisfies PersistedSystem);
            this.systemJson.set(system, json);
        }
        return json;
    }

    /** Writes the whole host to state.json (which empties the journal). */
    private writeSnapshot(): void {
        const systems = [...this.systems.values()].map((system) => this.persistedJson(system));
        try {
            saveHostJson(this.root, systems, this.grants.list());
            this.snapshotDue = false;
            this.journalLines = 0;
        } catch (err) {
            this.unsaved = true;
            this.snapshotDue = true;
            this.log.error({ root: this.root, err: (err as Error).message }, "cannot write the simulated host's state");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Handles

    /** Registers the handle a create will bind, before the create runs, so later calls wait for it. */
    newHandle(conn: ClientConnection, handleId: number): SystemHandle {
        const handle: SystemHandle = { id: handleId, conn, system: undefined, callback: false, callbackOptions: 0, ready: undefined };
        conn.handles.set(handleId, handle);
        return handle;
    }

    /** The handle a call names. @throws {HcsFailure} E_HANDLE when the connection has no such handle. */
    handle(conn: ClientConnection, handleId: number): SystemHandle {
        const handle = conn.handles.get(handleId);
        if (!handle) throw new HcsFailure(HR.E_HANDLE, `Handle ${handleId} is not open on this connection`);
        return handle;
    }

    /** The system behind a handle. @throws {HcsFailure} HCS_E_SYSTEM_NOT_FOUND when the create failed. */
    private systemOf(handle: SystemHandle): SystemRecord {
        // GUESS: a handle whose create failed names no system; calls through it fail as "not found".
        if (!handle.system) throw new HcsFailure(HR.HCS_E_SYSTEM_NOT_FOUND, "The handle's compute system was never created (its create failed)");
        return handle.system;
    }

    private bind(handle: SystemHandle, system: SystemRecord): void {
        handle.system = system;
        if (handle.conn.closed) {
            // The client went away while the call was in flight: its handles are gone.
            handle.conn.handles.delete(handle.id);
            this.afterHandleReleased(system);
            return;
        }
        system.handles.add(handle);
    }

    /** HcsCloseComputeSystem. */
    close(conn: ClientConnection, handleId: number): void {
        const handle = conn.handles.get(handleId);
        if (!handle) return;
        this.releaseHandle(handle);
    }

    /** Every handle of a connection closes with it (the client process exited). */
    connectionClosed(conn: ClientConnection): void {
        for (const handle of [...conn.handles.values()]) this.releaseHandle(handle);
    }

    private releaseHandle(handle: SystemHandle): void {
        handle.conn.handles.delete(handle.id);
        const system = handle.system;
        if (!system) return;
        system.handles.delete(handle);
        this.afterHandleReleased(system);
    }

    /** HCS semantics for the last handle: a stopped system disappears; a terminate-on-close one is terminated. */
    private afterHandleReleased(system: SystemRecord): void {
        if (system.handles.size > 0 || !this.systems.has(system.id.toLowerCase())) return;
        if (system.state === "Stopped") {
            this.remove(system, "its last handle closed");
        } else if (system.terminateOnLastHandleClosed) {
            this.stop(system, "ForcedExit", 0, "ShouldTerminateOnLastHandleClosed: its last handle closed");
        }
    }

    private remove(system: SystemRecord, why: string): void {
        this.systems.delete(system.id.toLowerCase());
        this.removedSystems.add(system.id.toLowerCase());
        this.openDisks.closeAll(system.id);
        this.lifecycle?.removed(system);
        this.persist();
        this.log.info({ id: system.id }, `removed compute system: ${why}`);
    }

    /** Moves a system to Stopped, tells every registered callback, and removes it if no handle remains. */
    private stop(system: SystemRecord, exitType: ExitType, status: number, why: string): void {
        const from = system.state;
        system.state = "Stopped";
        system.exitType = exitType;
        system.exitStatus = status;
        system.stoppedAt = new Date().toISOString();
        // The worker process has exited: its disks are closed, though handles may keep the system.
        this.openDisks.closeAll(system.id);
        this.lifecycle?.stopped(system);
        this.systemChanged(system);
        this.log.info({ id: system.id, from, to: "Stopped", exitType }, `compute system stopped: ${why}`);
        // GUESS: the SystemExited event reaches callbacks before the reply that completes the
        // shutdown/terminate operation.
        const data = JSON.stringify({ Status: status | 0, ExitType: exitType });
        for (const handle of system.handles) {
            if (handle.callback && !handle.conn.closed) handle.conn.sendEvent(handle.id, EVENT_SYSTEM_EXITED, data);
        }
        if (system.handles.size === 0) this.remove(system, "it stopped with no handle open");
    }

    private transition(system: SystemRecord, to: SystemState, why: string): void {
        const from = system.state;
        system.state = to;
        if (to === "Running" && from === "Created") system.startedAt = new Date().toISOString();
        this.systemChanged(system);
        this.log.info({ id: system.id, from, to }, `compute system ${why}`);
        if (to === "Running" && from === "Created") this.lifecycle?.started(system);
    }

    // ------------------------------------------------------------------------------------------
    // Compute-system calls

    /** HcsCreateComputeSystem: binds `handle` to the new system. */
    create(handle: SystemHandle, id: string | null, configuration: string | null): void {
        if (!id) throw new HcsFailure(HR.E_INVALIDARG, "The compute system ID is empty");
        if (configuration === null) throw new HcsFailure(HR.E_INVALIDARG, "The compute system configuration is NULL");
        // GUESS: IDs compare case-insensitively, and the duplicate check comes before the document is parsed.
        if (this.systems.has(id.toLowerCase())) {
            throw new HcsFailure(HR.HCS_E_SYSTEM_ALREADY_EXISTS, `A compute system with ID '${id}' already exists`,
                undefined, EVENT_IDS.alreadyExists);
        }
        const doc = checkComputeSystemDocument(configuration, this.host);
        const disks = checkDocumentFiles(this.root, this.grants, id, doc);
        // GUESS: a disk another system holds fails the create (ERROR_SHARING_VIOLATION), not the start.
        // HCS builds the VM's devices from the document at create (clients see construction failures,
        // E_ACCESSDENIED among them, from the create, attributed to OperationFailure "Construct"), and
        // hcsshim's scratch disk is in the create document. The open that checks the disk's ACL
        // (checkDocumentFiles, above) is the one that asks for exclusive access, so the same call
        // refuses both.
        this.openDisks.open(id, disks);
        const system: SystemRecord = {
            id,
            runtimeId: randomUUID(),
            owner: typeof doc.Owner === "string" ? doc.Owner : "",
            state: "Created",
            terminateOnLastHandleClosed: doc.ShouldTerminateOnLastHandleClosed === true,
            document: doc,
            createdAt: new Date().toISOString(),
            handles: new Set(),
        };
        this.systems.set(id.toLowerCase(), system);
        this.systemChanged(system);
        this.log.info({ id, runtimeId: system.runtimeId, owner: system.owner, to: "Created" }, "compute system created");
        this.bind(handle, system);
    }

    /** HcsOpenComputeSystem. */
    open(conn: ClientConnection, handleId: number, id: string | null): void {
        const system = id ? this.systems.get(id.toLowerCase()) : undefined;
        if (!system) {
            throw new HcsFailure(HR.HCS_E_SYSTEM_NOT_FOUND, `No compute system with ID '${id ?? ""}' exists`, undefined, EVENT_IDS.notFound);
        }
        const handle = this.newHandle(conn, handleId);
        this.bind(handle, system);
    }

    start(handle: SystemHandle, options: string | null): void {
        const system = this.systemOf(handle);
        // GUESS: Start, Resume and Terminate take NULL, "" or a JSON object with no fields; anything else is invalid JSON.
        parseOptional(options, "Empty", "start options");
        if (system.state !== "Created") throw invalidState(`Cannot start compute system '${system.id}': it is ${system.state}; only a Created system starts`);
        this.transition(system, "Running", "started");
    }

    pause(handle: SystemHandle, options: string | null): void {
        const system = this.systemOf(handle);
        parseOptional(options, "PauseOptions", "pause options");
        if (system.state !== "Running") throw invalidState(`Cannot pause compute system '${system.id}': it is ${system.state}, not Running`);
        this.transition(system, "Paused", "paused");
    }

    resume(handle: SystemHandle, options: string | null): void {
        const system = this.systemOf(handle);
        parseOptional(options, "Empty", "resume options");
        if (system.state !== "Paused") throw invalidState(`Cannot resume compute system '${system.id}': it is ${system.state}, not Paused`);
        this.transition(system, "Running", "resumed");
    }

    shutDown(handle: SystemHandle, options: string | null): void {
        const system = this.systemOf(handle);
        const parsed = parseOptional(options, "ShutdownOptions", "shutdown options");
        this.requireLive(system, "shut down");
        // GUESS: a shutdown with Force is reported as a forced exit.
        this.stop(system, parsed?.Force === true ? "ForcedExit" : "GracefulExit", 0, "shut down");
    }

    terminate(handle: SystemHandle, options: string | null): void {
        const system = this.systemOf(handle);
        parseOptional(options, "Empty", "terminate options");
        this.requireLive(system, "terminate");
        // GUESS: SystemExitStatus.Status is S_OK for shutdown and terminate; only an unexpected exit carries an error.
        this.stop(system, "ForcedExit", 0, "terminated");
    }

    private requireLive(system: SystemRecord, action: string): void {
        if (system.state === "Stopped") {
            throw new HcsFailure(HR.HCS_E_SYSTEM_ALREADY_STOPPED, `Cannot ${action} compute system '${system.id}': it has already stopped`,
                undefined, EVENT_IDS.invalidState);
        }
    }

    /** The system dies behind its clients' backs (control `kill`). */
    kill(id: string): void {
        const system = this.systems.get(id.toLowerCase());
        if (!system) throw new HcsFailure(HR.HCS_E_SYSTEM_NOT_FOUND, `No compute system with ID '${id}' exists`);
        this.requireLive(system, "kill");
        this.stop(system, "UnexpectedExit", HR.HCS_E_UNEXPECTED_EXIT, "killed through the simulator's control interface");
    }

    setCallback(handle: SystemHandle, options: number): void {
        if (handle.callback) {
            throw new HcsFailure(HR.HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET, "An event callback is already registered on this handle");
        }
        this.systemOf(handle);
        handle.callback = true;
        handle.callbackOptions = options;
    }

    // ------------------------------------------------------------------------------------------
    // Queries

    // GUESS: like hcsshim's omitempty structs, Owner is left out when empty, and Stopped/ExitType
    // appear only once the system has stopped.
    private basicProperties(system: SystemRecord): Json {
        const props: Json = { Id: system.id, SystemType: "VirtualMachine", RuntimeOsType: "Windows" };
        if (system.owner) props.Owner = system.owner;
        props.RuntimeId = system.runtimeId;
        props.State = system.state;
        if (system.state === "Stopped") {
            props.Stopped = true;
            props.ExitType = system.exitType ?? "Unknown";
        }
        return props;
    }

    private memorySizeMB(system: SystemRecord): number {
        return Number(dig(system.document, "VirtualMachine.ComputeTopology.Memory.SizeInMB") ?? 0);
    }

    private processorCount(system: SystemRecord): number {
        return Number(dig(system.document, "VirtualMachine.ComputeTopology.Processor.Count") ?? 1) || 1;
    }

    /** HcsGetComputeSystemProperties: basic properties plus each requested type. */
    properties(handle: SystemHandle, query: string | null): string {
        const system = this.systemOf(handle);
        const parsed = parseOptional(query, "System_PropertyQuery", "property query");
        if (parsed?.Queries !== undefined) {
            throw new HcsFailure(HR.NOT_SUPPORTED, "Queries: schema 2.5 property queries are not simulated; use PropertyTypes",
                undefined, EVENT_IDS.notSupported);
        }
        const types = (parsed?.PropertyTypes as string[] | undefined) ?? [];
        const unknown: SchemaProblem[] = [];
        types.forEach((t, i) => {
            if (!(SYSTEM_PROPERTY_TYPES as readonly string[]).includes(t)) {
                unknown.push({ path: `PropertyTypes[${i}]`, message: `unknown property type ${JSON.stringify(t)} (expected one of ${SYSTEM_PROPERTY_TYPES.join(", ")})` });
            }
        });
        if (unknown.length > 0) throw invalidJson("property query", unknown);
        const props = this.basicProperties(system);
        for (const type of new Set(types)) Object.assign(props, this.propertyOfType(system, type));
        return JSON.stringify(props);
    }

    private propertyOfType(system: SystemRecord, type: string): Json {
        const running = system.state === "Running" || system.state === "Paused";
        const sizeMB = this.memorySizeMB(system);
        const count = this.processorCount(system);
        switch (type) {
            case "Memory": {
                // GUESS: memory and statistics are reported for every live state (a Created VM already
                // has its memory assigned) and refused once the system has stopped.
                if (system.state === "Stopped") throw invalidState(`Cannot query Memory of compute system '${system.id}': it has stopped`);
                // GUESS: plausible numbers: all of the configured memory assigned, three quarters available in the guest.
                const pages = sizeMB * 256; // 4 KiB pages
                const overcommit = dig(system.document, "VirtualMachine.ComputeTopology.Memory.AllowOvercommit") === true;
                return {
                    Memory: {
                        VirtualNodeCount: 1,
                        VirtualMachineMemory: {
                            AvailableMemory: Math.floor(sizeMB * 0.75),
                            AvailableMemoryBuffer: 20,
                            ReservedMemory: 0,
                            AssignedMemory: pages,
                            SlpActive: false,
                            BalancingEnabled: overcommit,
                            DmOperationInProgress: false,
                        },
                        VirtualNodes: [{ VirtualNodeIndex: 0, PhysicalNodeNumber: 0, VirtualProcessorCount: count, MemoryUsageInPages: pages }],
                    },
                };
            }
            case "Statistics": {
                if (system.state === "Stopped") throw invalidState(`Cannot query Statistics of compute system '${system.id}': it has stopped`);
                const now = Date.now();
                const started = system.startedAt ? Date.parse(system.startedAt) : undefined;
                const uptime100ns = started !== undefined && running ? (now - started) * 10000 : 0;
                // GUESS: plausible numbers, derived from uptime: 2% of each virtual processor busy (60% user,
                // 40% kernel), all memory committed, half of it in the working set, 10 reads and 5
                // writes of 4 KiB a second.
                const cpu = Math.round(uptime100ns * count * 0.02);
                const seconds = Math.floor(uptime100ns / 1e7);
                const bytes = sizeMB * 1024 * 1024;
                return {
                    Statistics: {
                        Timestamp: new Date(now).toISOString(),
                        ContainerStartTime: system.startedAt ?? system.createdAt,
                        Uptime100ns: uptime100ns,
                        Processor: { TotalRuntime100ns: cpu, RuntimeUser100ns: Math.round(cpu * 0.6), RuntimeKernel100ns: cpu - Math.round(cpu * 0.6) },
                        Memory: running
                            ? { MemoryUsageCommitBytes: bytes, MemoryUsageCommitPeakBytes: bytes, MemoryUsagePrivateWorkingSetBytes: Math.floor(bytes / 2) }
                            : { MemoryUsageCommitBytes: 0, MemoryUsageCommitPeakBytes: 0, MemoryUsagePrivateWorkingSetBytes: 0 },
                        Storage: { ReadCountNormalized: seconds * 10, ReadSizeBytes: seconds * 10 * 4096, WriteCountNormalized: seconds * 5, WriteSizeBytes: seconds * 5 * 4096 },
                    },
                };
            }
            case "TerminateOnLastHandleClosed":
                return { TerminateOnLastHandleClosed: system.terminateOnLastHandleClosed };
            case "CpuGroup": {
                // GUESS: the CpuGroup property is {"CpuGroup":{"Id":...}}, with the null group when none is set.
                const id = dig(system.document, "VirtualMachine.ComputeTopology.Processor.CpuGroup.Id");
                return { CpuGroup: { Id: typeof id === "string" ? id : NULL_CPU_GROUP } };
            }
            case "ProcessList":
                return { ProcessList: [] };
            case "SharedMemoryRegion":
                return { SharedMemoryRegionInfo: [] };
            case "GuestConnection":
                // GUESS: only a VM whose document asks HCS for a guest connection has one, once running.
                if (dig(system.document, "VirtualMachine.GuestConnection") === undefined || !running) {
                    throw new HcsFailure(HR.NOT_SUPPORTED, `Compute system '${system.id}' has no HCS guest connection (none configured, or not running)`,
                        undefined, EVENT_IDS.notSupported);
                }
                return { GuestConnectionInfo: { SupportedSchemaVersions: supportedSchemaVersions(this.host.build), ProtocolVersion: 4, GuestDefinedCapabilities: {} } };
            case "Simulator":
                return {
                    Simulator: {
                        Configuration: system.document,
                        Handles: system.handles.size,
                        CreatedAt: system.createdAt,
                        StartedAt: system.startedAt ?? null,
                        StoppedAt: system.stoppedAt ?? null,
                    },
                };
            default:
                return {};
        }
    }

    /** HcsEnumerateComputeSystems: a JSON array of basic Properties, filtered by a SystemQuery. */
    enumerate(query: string | null): string {
        const q = parseOptional(query, "SystemQuery", "system query");
        const ids = (q?.Ids as string[] | undefined)?.map((i) => i.toLowerCase());
        const names = q?.Names as string[] | undefined;
        const types = q?.Types as string[] | undefined;
        const owners = q?.Owners as string[] | undefined;
        // GUESS: a stopped system still kept by a handle is listed, with State "Stopped".
        const matches = [...this.systems.values()].filter((s) =>
            (ids === undefined || ids.length === 0 || ids.includes(s.id.toLowerCase())) &&
            // GUESS: systems created through computecore have no Name, so a non-empty Names filter matches none.
            (names === undefined || names.length === 0) &&
            (types === undefined || types.length === 0 || types.includes("VirtualMachine")) &&
            (owners === undefined || owners.length === 0 || owners.includes(s.owner)),
        );
        return JSON.stringify(matches.map((s) => this.basicProperties(s)));
    }

    /** HcsGetServiceProperties: `{"Properties":[one element per requested type]}`. */
    serviceProperties(query: string | null): string {
        const q = parseOptional(query, "Service_PropertyQuery", "service property query");
        if (q?.PropertyQueries !== undefined) {
            throw new HcsFailure(HR.NOT_SUPPORTED, "PropertyQueries: schema 2.5 property queries are not simulated; use PropertyTypes",
                undefined, EVENT_IDS.notSupported);
        }
        // GUESS: a NULL or empty query returns the Basic properties.
        const types = (q?.PropertyTypes as string[] | undefined) ?? (q === undefined ? ["Basic"] : []);
        const unknown: SchemaProblem[] = [];
        types.forEach((t, i) => {
            if (!(SERVICE_PROPERTY_TYPES as readonly string[]).includes(t)) {
                unknown.push({ path: `PropertyTypes[${i}]`, message: `unknown service property type ${JSON.stringify(t)} (expected one of ${SERVICE_PROPERTY_TYPES.join(", ")})` });
            }
        });
        if (unknown.length > 0) throw invalidJson("service property query", unknown);
        return JSON.stringify({ Properties: types.map((t) => this.serviceProperty(t)) });
    }

    private serviceProperty(type: string): unknown {
        const n = this.host.logicalProcessors;
        switch (type) {
            case "Basic":
                return { SupportedSchemaVersions: supportedSchemaVersions(this.host.build) };
            case "ProcessorTopology":
                return {
                    LogicalProcessorCount: n,
                    LogicalProcessors: Array.from({ length: n }, (_, i) => ({ LpIndex: i, NodeNumber: 0, PackageId: 0, CoreId: i, RootVpIndex: i })),
                };
            case "CpuGroup": {
                // GUESS: the host's CPU groups are the ones its systems name, each spanning every logical processor.
                const groups = new Set<string>();
                for (const s of this.systems.values()) {
                    const id = dig(s.document, "VirtualMachine.ComputeTopology.Processor.CpuGroup.Id");
                    if (typeof id === "string" && id !== NULL_CPU_GROUP) groups.add(id.toLowerCase());
                }
                return {
                    CpuGroups: [...groups].map((g) => ({
                        GroupId: g,
                        Affinity: { LogicalProcessorCount: n, LogicalProcessors: Array.from({ length: n }, (_, i) => i) },
                        GroupProperties: [],
                    })),
                };
            }
            // GUESS: no credential-guard instances; processor QoS supported (Server 2022 has it).
            case "ContainerCredentialGuard":
                return { Instances: [] };
            case "QoSCapabilities":
                return { ProcessorQoSSupported: true };
            case "Simulator":
                return {
                    Root: this.root, HostId: this.hostId, OsBuild: this.host.build, LogicalProcessorCount: n, Version: SIMULATOR_VERSION,
                    ...(this.timeZone !== undefined ? { TimeZone: this.timeZone } : {}),
                };
            default:
                return {};
        }
    }

    // ------------------------------------------------------------------------------------------
    // Modify

    /** HcsModifyComputeSystem: applies a ModifySettingRequest and persists the new configuration. */
    modify(handle: SystemHandle, configuration: string | null): void {
        const system = this.systemOf(handle);
        // A refused request may already have touched the configuration (ensurePath): re-serialize
        // the system at the next flush, as a flush of the whole host always did.
        this.systemJson.delete(system);
        if (configuration === null) throw new HcsFailure(HR.E_INVALIDARG, "The modify request is NULL");
        const request = parseJson(configuration, "modify request");
        const problems = validateStruct("ModifySettingRequest", request);
        if (problems.length > 0) throw invalidJson("modify request", problems);
        const req = request as Json;
        if (req.GuestRequest !== undefined) {
            throw new HcsFailure(HR.NOT_SUPPORTED, "GuestRequest: the simulator has no guest (GCS) to forward guest requests to",
                undefined, EVENT_IDS.notSupported);
        }
        const resourcePath = req.ResourcePath;
        if (typeof resourcePath !== "string" || resourcePath === "") {
            throw invalidJson("modify request", [{ path: "ResourcePath", message: "missing (required)" }]);
        }
        if (system.state === "Stopped") throw invalidState(`Cannot modify compute system '${system.id}': it has stopped`);
        const requestType = req.RequestType as string | undefined;
        const settings = req.Settings;

        switch (resourcePath) {
            case "VirtualMachine/ComputeTopology/Processor/Limits":
                this.modifyLimits(system, requestType, settings);
                break;
            case "VirtualMachine/ComputeTopology/Processor/CpuGroup":
                this.modifyCpuGroup(system, requestType, settings);
                break;
            case "VirtualMachine/ComputeTopology/Memory/SizeInMB":
                this.modifyMemory(system, requestType, settings);
                break;
            case "VirtualMachine/Devices/VirtualSmb/Shares":
                this.modifyShares(system, requestType, settings);
                break;
            default: {
                const scsi = /^VirtualMachine\/Devices\/Scsi\/([^/]+)\/Attachments\/(\d+)$/.exec(resourcePath);
                if (scsi) {
                    this.modifyScsi(system, requestType, settings, scsi[1]!, scsi[2]!);
                    break;
                }
                throw new HcsFailure(HR.NOT_SUPPORTED, `ResourcePath: ${JSON.stringify(resourcePath)} is not a resource the simulator can modify ` +
                    "(supported: VirtualMachine/ComputeTopology/Processor/Limits, .../Processor/CpuGroup, .../Memory/SizeInMB, " +
                    "VirtualMachine/Devices/VirtualSmb/Shares, VirtualMachine/Devices/Scsi/<controller>/Attachments/<lun>)",
                undefined, EVENT_IDS.notSupported);
            }
        }
        this.systemChanged(system);
        this.log.info({ id: system.id, resourcePath, requestType: requestType ?? null }, "compute system modified");
    }

    private requireUpdate(requestType: string | undefined, resourcePath: string): void {
        // GUESS: these paths take Update (or no RequestType, as hcsshim sends them); Add/Remove are invalid.
        if (requestType !== undefined && requestType !== "Update") {
            throw new HcsFailure(HR.E_INVALIDARG, `RequestType: ${resourcePath} takes Update (or no RequestType), not ${requestType}`);
        }
    }

    private requireStates(system: SystemRecord, states: readonly SystemState[], what: string): void {
        if (!states.includes(system.state)) {
            throw invalidState(`Cannot change ${what} of compute system '${system.id}' while it is ${system.state} (allowed: ${states.join(", ")})`);
        }
    }

    private modifyLimits(system: SystemRecord, requestType: string | undefined, settings: unknown): void {
        const resource = "VirtualMachine/ComputeTopology/Processor/Limits";
        this.requireUpdate(requestType, resource);
        const problems = validateStruct("ProcessorLimits", settings, "Settings");
        if (problems.length > 0) throw invalidJson("modify request", problems);
        const limits = settings as Json;
        checkLimits(limits, "Settings");
        // GUESS: processor limits change in Created, Running and Paused; from build 19042 on (hcsshim's precondition).
        if (this.host.build < 19042) {
            throw new HcsFailure(HR.NOT_SUPPORTED, `${resource}: updating processor limits needs build 19042 or later (this host is ${this.host.build})`,
                undefined, EVENT_IDS.notSupported);
        }
        this.requireStates(system, ["Created", "Running", "Paused"], "processor limits");
        const processor = ensurePath(system.document, ["VirtualMachine", "ComputeTopology", "Processor"]);
        // GUESS: the request replaces all four limits; a field left out goes back to its default (0).
        for (const field of ["Limit", "Weight", "Reservation", "MaximumFrequencyMHz"]) {
            if (typeof limits[field] === "number" && limits[field] !== 0) processor[field] = limits[field];
            else delete processor[field];
        }
    }

    private modifyCpuGroup(system: SystemRecord, requestType: string | undefined, settings: unknown): void {
        const resource = "VirtualMachine/ComputeTopology/Processor/CpuGroup";
        this.requireUpdate(requestType, resource);
        const problems = validateStruct("CpuGroup", settings, "Settings");
        if (obj(settings) && obj(settings)!.Id === undefined) problems.push({ path: "Settings.Id", message: "missing (required)" });
        if (problems.length > 0) throw invalidJson("modify request", problems);
        if (this.host.build < CPU_GROUP_MIN_BUILD) {
            throw new HcsFailure(HR.NOT_SUPPORTED, `${resource}: CPU groups need build ${CPU_GROUP_MIN_BUILD} or later (this host is ${this.host.build})`,
                undefined, EVENT_IDS.notSupported);
        }
        this.requireStates(system, ["Created", "Running", "Paused"], "the CPU group");
        // GUESS: any group ID is accepted; the simulator has no registry of host CPU groups
        // (HcsModifyServiceSettings, which creates them, is not simulated).
        const wanted = String(obj(settings)!.Id).toLowerCase();
        const processor = ensurePath(system.document, ["VirtualMachine", "ComputeTopology", "Processor"]);
        const current = String(obj(processor.CpuGroup)?.Id ?? NULL_CPU_GROUP).toLowerCase();
        if (current !== NULL_CPU_GROUP && wanted !== NULL_CPU_GROUP && current !== wanted) {
            // hcsshim: a VM must be moved to the null group before it can join another group.
            // GUESS: the HRESULT for skipping that step.
            throw invalidState(`Settings.Id: compute system '${system.id}' is in CPU group ${current}; move it to the null group ` +
                `${NULL_CPU_GROUP} before joining ${wanted}`);
        }
        processor.CpuGroup = { Id: wanted };
    }

    private modifyMemory(system: SystemRecord, requestType: string | undefined, settings: unknown): void {
        const resource = "VirtualMachine/ComputeTopology/Memory/SizeInMB";
        this.requireUpdate(requestType, resource);
        if (typeof settings !== "number" || !Number.isInteger(settings) || settings < 0) {
            throw invalidJson("modify request", [{ path: "Settings", message: `expected uint64 (the new size in MB), got ${JSON.stringify(settings)}` }]);
        }
        const memory = ensurePath(system.document, ["VirtualMachine", "ComputeTopology", "Memory"]);
        if (memory.AllowOvercommit !== true) {
            // GUESS: which HRESULT HCS gives for resizing a physically backed VM.
            throw new HcsFailure(HR.NOT_SUPPORTED, `${resource}: compute system '${system.id}' is physically backed (AllowOvercommit is not true); its memory cannot change while it exists`,
                undefined, EVENT_IDS.notSupported);
        }
        // GUESS: memory changes only while the guest runs (the reference's tutorial retries until boot finished).
        this.requireStates(system, ["Running"], "the memory size");
        if (settings === 0 || settings % 2 !== 0) {
            throw new HcsFailure(HR.E_INVALIDARG, `Settings: ${settings} MB is not a positive multiple of 2 MB`);
        }
        memory.SizeInMB = settings;
    }

    private modifyShares(system: SystemRecord, requestType: string | undefined, settings: unknown): void {
        const problems = validateStruct("VirtualSmbShare", settings, "Settings");
        if (requestType === undefined) problems.push({ path: "RequestType", message: "missing (VirtualSmb shares take Add, Remove or Update)" });
        const share = obj(settings);
        if (share && share.Name === undefined) problems.push({ path: "Settings.Name", message: "missing (required)" });
        if (share && requestType !== "Remove" && share.Path === undefined) problems.push({ path: "Settings.Path", message: "missing (required)" });
        if (problems.length > 0) throw invalidJson("modify request", problems);
        // GUESS: shares change in Created and Running, not while Paused.
        this.requireStates(system, ["Created", "Running"], "VSMB shares");
        const vsmb = ensurePath(system.document, ["VirtualMachine", "Devices", "VirtualSmb"]);
        const shares = (Array.isArray(vsmb.Shares) ? vsmb.Shares : []) as Json[];
        const name = String(share!.Name);
        const index = shares.findIndex((s) => String(s.Name).toLowerCase() === name.toLowerCase());
        if (requestType === "Add") {
            // GUESS: adding a share name that exists is ERROR_ALREADY_EXISTS.
            if (index >= 0) {
                throw new HcsFailure(HR.ALREADY_EXISTS, `Settings.Name: compute system '${system.id}' already has a VSMB share named '${name}'`,
                    undefined, EVENT_IDS.alreadyExists);
            }
            checkShare(this.root, share!, "Settings");
            shares.push(share!);
        } else {
            if (index < 0) {
                // GUESS: removing or updating a share that does not exist is ERROR_NOT_FOUND (hcsshim's IsNotExist).
                throw new HcsFailure(HR.NOT_FOUND, `Settings.Name: compute system '${system.id}' has no VSMB share named '${name}'`,
                    undefined, EVENT_IDS.notFound);
            }
            if (requestType === "Remove") shares.splice(index, 1);
            else {
                checkShare(this.root, share!, "Settings");
                shares[index] = share!;
            }
        }
        vsmb.Shares = shares;
    }

    private modifyScsi(system: SystemRecord, requestType: string | undefined, settings: unknown, controller: string, lun: string): void {
        // GUESS: SCSI paths take Add or Remove (E_INVALIDARG otherwise); an unknown controller or an empty
        // LUN is ERROR_NOT_FOUND, a LUN in use ERROR_ALREADY_EXISTS.
        if (Number(lun) > 63) throw new HcsFailure(HR.E_INVALIDARG, `ResourcePath: LUN ${lun} is above 63`);
        if (requestType !== "Add" && requestType !== "Remove") {
            throw new HcsFailure(HR.E_INVALIDARG, `RequestType: SCSI attachments take Add or Remove, not ${requestType ?? "nothing"}`);
        }
        // GUESS: disks attach and detach in Created and Running.
        this.requireStates(system, ["Created", "Running"], "SCSI attachments");
        const scsi = ensurePath(system.document, ["VirtualMachine", "Devices", "Scsi"]);
        const ctrl = obj(scsi[controller]);
        if (!ctrl) throw new HcsFailure(HR.NOT_FOUND, `ResourcePath: compute system '${system.id}' has no SCSI controller '${controller}'`, undefined, EVENT_IDS.notFound);
        const attachments = ensurePath(ctrl, ["Attachments"]);
        const slot = `${controller}/${lun}`;
        if (requestType === "Remove") {
            if (attachments[lun] === undefined) throw new HcsFailure(HR.NOT_FOUND, `ResourcePath: nothing is attached at ${controller} LUN ${lun}`, undefined, EVENT_IDS.notFound);
            delete attachments[lun];
            this.openDisks.close(system.id, slot);
            return;
        }
        const problems = validateStruct("Attachment", settings, "Settings");
        const a = obj(settings);
        if (a && a.Type === undefined) problems.push({ path: "Settings.Type", message: "missing (required)" });
        if (a && a.Path === undefined) problems.push({ path: "Settings.Path", message: "missing (required)" });
        if (problems.length > 0) throw invalidJson("modify request", problems);
        if (attachments[lun] !== undefined) throw new HcsFailure(HR.ALREADY_EXISTS, `ResourcePath: ${controller} LUN ${lun} is in use`, undefined, EVENT_IDS.alreadyExists);
        // A hot-added disk is opened when it is added, with the same sharing rule as at create.
        this.openDisks.open(system.id, [checkAttachment(this.root, this.grants, system.id, a!, "Settings", slot)]);
        attachments[lun] = a!;
    }

    // ------------------------------------------------------------------------------------------
    // Access grants

    /** HcsGrantVmAccess (vmId) or HcsGrantVmGroupAccess (vmId undefined). */
    grant(vmId: string | undefined, filePath: string | null): void {
        const file = this.existingFile(filePath);
        this.grants.grant(vmId, file.windows, file.local);
        this.persist();
        this.log.info({ vmId: vmId ?? "<Virtual Machines group>", path: file.windows }, "granted VM access");
    }

    /** HcsRevokeVmAccess / HcsRevokeVmGroupAccess. */
    revoke(vmId: string | undefined, filePath: string | null): void {
        const file = this.existingFile(filePath);
        this.grants.revoke(vmId, file.local);
        this.persist();
        this.log.info({ vmId: vmId ?? "<Virtual Machines group>", path: file.windows }, "revoked VM access");
    }

    private existingFile(filePath: string | null): { windows: string; local: string } {
        if (!filePath) throw new HcsFailure(HR.E_INVALIDARG, "The file path is empty");
        const file = mapWindowsPath(this.root, filePath, "filePath");
        const missing = missingPathFailure(file.local, file.windows, "filePath", "file");
        if (missing) throw missing;
        return file;
    }

    // ------------------------------------------------------------------------------------------
    // Inspection (control interface)

    systemIds(): string[] {
        return [...this.systems.values()].map((s) => s.id);
    }

    snapshot(): { systems: Json[]; grants: Json[]; openDisks: OpenDiskView[] } {
        return {
            systems: [...this.systems.values()].map((s) => ({
                id: s.id,
                state: s.state,
                owner: s.owner,
                runtimeId: s.runtimeId,
                exitType: s.exitType ?? null,
                terminateOnLastHandleClosed: s.terminateOnLastHandleClosed,
                handles: s.handles.size,
                createdAt: s.createdAt,
                startedAt: s.startedAt ?? null,
                memorySizeInMB: this.memorySizeMB(s),
                processorCount: this.processorCount(s),
            })),
            grants: this.grants.list().map((g) => ({ path: g.windows, vmIds: g.vmIds, group: g.group })),
            openDisks: this.openDisks.list(),
        };
    }

    /** The current configuration of a system (control `state --json` and tests). */
    configuration(id: string): Json | undefined {
        return this.systems.get(id.toLowerCase())?.document;
    }
}

/** Makes sure the root exists and is a folder. */
export function prepareRoot(root: string): void {
    fs.mkdirSync(path.join(root, "fs"), { recursive: true });
}
