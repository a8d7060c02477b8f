import { createHash, randomUUID } from "node:crypto";
import { status } from "@grpc/grpc-js";
import type { SystemState } from "../hcs";
import { planScratch } from "../host/scratch-plan";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { quote } from "../model/characters";
import { DEFAULT_OWNER, resolveOptions } from "../model/resolve";
import type { ResolvedOptions } from "../model/resolved-options";
import { formatFailure } from "../model/validation-failure";
import { createUtilityVm } from "../uvm/create";
import { deleteUtilityVm } from "../uvm/delete";
import { computeSystemIdFor } from "../uvm/identity";
import { readUtilityVm } from "../uvm/read";
import type { GuestConnectionStatus, UtilityVmState } from "../uvm/state";
import { UvmStepError } from "../uvm/step-error";
import { type InPlaceSettings, updateUtilityVm } from "../uvm/update";
import { AgentError } from "./agent-error";
import type { WireCreateVmRequest, WireDeleteVmRequest, WireUpdateVmRequest, WireUpdateVmResponse, WireVm } from "./api";
import type { EventFeed } from "./event-feed";
import type { HeldVms } from "./held-vms";
import { KeyedLock } from "./keyed-lock";
import { pathRootViolations, type PathRoots } from "./path-roots";
import type { VmRecord, VmRecords } from "./vm-records";
import { vmToWire } from "./wire-vm";

export interface VmServiceOptions {
    /** The host the agent owns, its `guestOwner` set to `held`. */
    readonly host: TargetHost;
    readonly records: VmRecords;
    readonly roots: PathRoots;
    readonly events: EventFeed;
    readonly held: HeldVms;
}

/** A mutation in flight or done, by request ID: what a retry with the same ID gets. */
interface Remembered<T> {
    readonly digest: string;
    readonly result: Promise<T>;
}

/** How many finished updates' results the agent remembers for retries (creates are on disk). */
const REMEMBERED_UPDATES = 1000;

/**
 * The agent's operations on its host's VMs, whatever the transport: the same lifecycle (`uvm/`) the
 * direct path runs, plus what an owner adds: a record of every VM it creates (vm-records.ts),
 * request-ID idempotency, one mutation at a time per VM, path roots, events, and the VMs' guest
 * connections (held-vms.ts).
 */
export class VmService {
    private readonly locks = new KeyedLock();
    private readonly creates = new Map<string, Remembered<WireVm>>();
    private readonly updates = new Map<string, Remembered<WireUpdateVmResponse>>();
    private inFlight = 0;
    private idle: (() => void) | undefined;
    draining = false;

    constructor(private readonly options: VmServiceOptions) {}

    get host(): TargetHost {
        return this.options.host;
    }

    /** CreateVm: idempotent by request ID; the same ID with another spec is refused. */
    async create(request: WireCreateVmRequest): Promise<WireVm> {
        const requestId = requireRequestId(request.request_id);
        const options = await this.resolve(request.spec?.inputs_json, "spec");
        const resource = request.resource !== "" ? request.resource : undefined;
        const digest = digestOf({ options, resource });
        const remembered = this.creates.get(requestId);
        if (remembered !== undefined) return sameRequest(remembered, digest, requestId);
        const record = this.options.records.byRequestId(requestId);
        if (record !== undefined && record.phase === "created") {
            if (record.specDigest !== digest) throw reused(requestId);
            return this.view(record.id);
        }
        const violations = await pathRootViolations(options, this.options.roots, this.host.fs);
        if (violations.length > 0) {
            throw new AgentError(status.PERMISSION_DENIED, `paths outside this agent's roots: ${violations.map((v) => `${v.field} ${quote(v.path)}: ${v.reason}`).join("; ")}`);
        }
        // A duplicate of this request may have begun while the roots were checked: it is the one create
        // (run after it, a second create would replace the VM the first one answers with).
        const begun = this.creates.get(requestId);
        if (begun !== undefined) return sameRequest(begun, digest, requestId);
        const result = this.mutation(() => this.createNow(options, resource, requestId, digest, request.budget_ms));
        this.creates.set(requestId, { digest, result });
        // A failed create may be retried with the same ID: only a success is the request's answer.
        result.catch(() => this.creates.delete(requestId));
        return result;
    }

    private async createNow(options: ResolvedOptions, resource: string | undefined, requestId: string, digest: string, budgetMs: number): Promise<WireVm> {
        const id = computeSystemIdFor(options, resource);
        return this.locks.run(id, async () => {
            const { records, events } = this.options;
            const base = {
                id,
                requestId,
                specDigest: digest,
                resource,
                createdAt: new Date().toISOString(),
                scratchPath: planScratch(options.layerFolders, "").scratchPath,
            };
            // Written before HCS is touched: an agent killed mid-create finds this at start and undoes it.
            records.put({ ...base, phase: "creating" });
            let state: UtilityVmState;
            try {
                // Without a resource the lifecycle would pick a random ID of its own: give it the recorded one.
                const withId = options.computeSystemId === undefined && resource === undefined ? { ...options, computeSystemId: id } : options;
                state = await createUtilityVm({ host: this.host, options: withId, budgetMs: budgetMs || undefined, resource });
            } catch (err) {
                // Rolled back: nothing to remember. Left behind: the record stays until the client's delete.
                if (!(err instanceof UvmStepError && err.leftBehind !== undefined)) records.remove(id);
                throw err;
            }
            const record: VmRecord = { ...base, phase: "created", state, guestHeld: state.guestConnection === "connected" };
            records.put(record);
            events.emit("CREATED", { id, runtimeId: state.runtimeId });
            if (state.state === "Running") events.emit("STARTED", { id, runtimeId: state.runtimeId });
            return vmToWire(state, { resource, createdAt: record.createdAt, requestId, owner: options.owner });
        });
    }

    /** GetVm: the VM as HCS reports it now, with what the agent knows; NOT_FOUND when it is gone. */
    async get(id: string): Promise<WireVm> {
        if (id === "") throw new AgentError(status.INVALID_ARGUMENT, "id is required");
        return this.view(id);
    }

    /** ListVms: every VM the agent created that still exists. */
    async list(): Promise<WireVm[]> {
        const views = await Promise.all(this.options.records.all().filter((r) => r.phase === "created").map((r) => this.view(r.id).catch(() => undefined)));
        return views.filter((v): v is WireVm => v !== undefined);
    }

    private async view(id: string): Promise<WireVm> {
        const observed = await readUtilityVm(this.host, id);
        if (observed === undefined) throw new AgentError(status.NOT_FOUND, `compute system '${id}' does not exist on this agent's host (or has stopped)`);
        const record = this.options.records.get(id);
        const state: UtilityVmState = {
            computeSystemId: record?.id ?? id,
            runtimeId: observed.runtimeId,
            state: observed.state,
            uvmFolder: record?.state?.uvmFolder ?? "",
            scratchPath: record?.state?.scratchPath ?? record?.scratchPath ?? "",
            scratchCreated: record?.state?.scratchCreated ?? false,
            createdFolders: record?.state?.createdFolders ?? [],
            document: record?.state?.document ?? "",
            guestConnection: this.guestConnectionOf(id, record),
            ...(record?.state?.guestOsType !== undefined ? { guestOsType: record.state.guestOsType } : {}),
            ...(record?.state?.guestProtocolVersion !== undefined ? { guestProtocolVersion: record.state.guestProtocolVersion } : {}),
        };
        // A scratch disk gone from under a live VM: it can never run again, so it reads as gone.
        if (state.scratchPath !== "" && record !== undefined && (await this.host.fs.stat(state.scratchPath)) === undefined) {
            throw new AgentError(status.NOT_FOUND, `compute system '${id}' has lost its scratch disk ${state.scratchPath}; it reads as gone`);
        }
        return vmToWire(state, { resource: record?.resource, createdAt: record?.createdAt, requestId: record?.requestId, owner: observed.owner, assignedMemoryInMB: observed.assignedMemoryInMB });
    }

    private guestConnectionOf(id: string, record: VmRecord | undefined): GuestConnectionStatus {
        const held = this.options.held.status(id);
        if (held !== undefined) return held;
        // Held once and not now: the agent restarted since (a connection cannot be made twice).
        if (record?.guestHeld === true || record?.state?.guestConnection === "connected") return "lost";
        return record?.state?.guestConnection ?? "none";
    }

    /** UpdateVm: the in-place changes; refused changes come back in `failures`. */
    async update(request: WireUpdateVmRequest): Promise<WireUpdateVmResponse> {
        const requestId = requireRequestId(request.request_id);
        if (request.id === "") throw new AgentError(status.INVALID_ARGUMENT, "id is required");
        const desired = await this.resolve(request.desired?.inputs_json, "desired");
        const current = parseCurrent(request.current?.inputs_json);
        const digest = digestOf({ id: request.id.toLowerCase(), current, desired });
        const remembered = this.updates.get(requestId);
        if (remembered !== undefined) return sameRequest(remembered, digest, requestId);
        const result = this.mutation(() => this.locks.run(request.id, () => this.updateNow(request.id, current, desired, request.budget_ms)));
        this.remember(this.updates, requestId, { digest, result });
        return result;
    }

    private async updateNow(id: string, current: InPlaceSettings & { state: SystemState }, desired: ResolvedOptions, budgetMs: number): Promise<WireUpdateVmResponse> {
        const outcome = await updateUtilityVm({ host: this.host, id, current, desired, noInheritHostTimezone: desired.noInheritHostTimezone, budgetMs: budgetMs || undefined });
        const record = this.options.records.get(id);
        if (outcome.guest !== undefined && record?.state !== undefined) {
            this.options.records.put({ ...record, guestHeld: outcome.guest.guestConnection === "connected" || record.guestHeld === true, state: { ...record.state, ...outcome.guest, state: outcome.state } });
        }
        this.options.events.emit("UPDATED", { id }, { message: `applied ${outcome.applied.join(", ") || "nothing"}` });
        if (outcome.guest !== undefined && outcome.state === "Running") this.options.events.emit("STARTED", { id });
        const vm = await this.view(id).catch(() => null);
        return { vm, applied: [...outcome.applied], failures: outcome.failures.map((f) => ({ field: f.field, message: f.message })) };
    }

    /** DeleteVm: idempotent; a VM that does not exist is deleted already. */
    async delete(request: WireDeleteVmRequest): Promise<void> {
        requireRequestId(request.request_id);
        if (request.id === "") throw new AgentError(status.INVALID_ARGUMENT, "id is required");
        await this.mutation(() => this.locks.run(request.id, () => this.deleteNow(request)));
    }

    private async deleteNow(request: WireDeleteVmRequest): Promise<void> {
        const { records, held, events } = this.options;
        const record = records.get(request.id);
        const runtimeId = request.runtime_id !== "" ? request.runtime_id : (record?.state?.runtimeId ?? "");
        // The client's state names which VM it means: a newer VM under the same ID (a forced
        // replacement creates it before deleting the old one) keeps its record and connection.
        const sameVm = record?.state === undefined || runtimeId === "" || record.state.runtimeId.toLowerCase() === runtimeId.toLowerCase();
        let scratchPath = sameVm ? (record?.state?.scratchPath ?? record?.scratchPath) : undefined;
        if (scratchPath === undefined && request.scratch_path !== "") {
            const violations = await pathRootViolations({ layerFolders: [request.scratch_path.replace(/\\[^\\]*$/, "")] }, this.options.roots, this.host.fs);
            if (violations.length > 0) throw new AgentError(status.PERMISSION_DENIED, `scratch_path ${JSON.stringify(request.scratch_path)} is outside this agent's scratch roots: ${violations[0]!.reason}`);
            scratchPath = request.scratch_path;
        }
        if (sameVm) held.release(request.id);
        await deleteUtilityVm({
            host: this.host,
            state: { computeSystemId: record?.id ?? request.id, runtimeId, scratchPath: scratchPath ?? "", scratchCreated: record?.state?.scratchCreated ?? request.scratch_created },
            resource: request.resource !== "" ? request.resource : undefined,
            budgetMs: request.budget_ms || undefined,
        });
        if (sameVm && record !== undefined) records.remove(record.id);
        events.emit("DELETED", { id: request.id, runtimeId });
    }

    /** Drain: refuse new mutations, wait for those in flight, report the VMs held. */
    async drain(): Promise<string[]> {
        this.draining = true;
        if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
        return this.options.held.connectedIds();
    }

    /**
     * What the agent does at start with what its previous life left (lifecycle.md): a create that
     * was interrupted is undone (the VM terminated, the files its marker names released); a VM whose
     * guest connection it held is terminated and released too, since no guest connects twice and a
     * VM without one cannot run containers (hcsshim's terminate-on-last-handle choice); a VM created
     * without being started is kept, and owned again.
     */
    async recover(): Promise<{ undone: string[]; terminated: string[]; kept: string[]; foreign: string[] }> {
        const outcome = { undone: [] as string[], terminated: [] as string[], kept: [] as string[], foreign: [] as string[] };
        for (const record of this.options.records.all()) {
            const held = record.guestHeld === true || record.state?.guestConnection === "connected";
            if (record.phase === "created" && !held) {
                outcome.kept.push(record.id);
                continue;
            }
            const why = record.phase === "creating" ? "its create was interrupted when the agent stopped" : "its guest connection ended with the agent's previous run";
            try {
                await deleteUtilityVm({
                    host: this.host,
                    state: { computeSystemId: record.id, runtimeId: record.state?.runtimeId ?? "", scratchPath: record.state?.scratchPath ?? record.scratchPath, scratchCreated: record.state?.scratchCreated ?? true },
                    resource: record.resource,
                });
                this.options.records.remove(record.id);
                (record.phase === "creating" ? outcome.undone : outcome.terminated).push(record.id);
                log.warn({ id: record.id, resource: record.resource }, `removed a VM of the agent's previous run: ${why}`);
                this.options.events.emit("FOUND_AT_START", { id: record.id, runtimeId: record.state?.runtimeId }, { message: `removed: ${why}` });
            } catch (err) {
                log.error({ id: record.id, err: (err as Error).message }, `could not remove a VM of the agent's previous run (${why}); the next start tries again`);
            }
        }
        outcome.foreign = await this.reportForeignSystems();
        return outcome;
    }

    /**
     * Systems of pulumi-hcs's default owner (`pulumi-hcs`) that the agent did not create: VMs a program
     * made on this host directly, or another agent's. They are reported (log, FOUND_AT_START) and left
     * alone: the agent acts only on what it made.
     */
    private async reportForeignSystems(): Promise<string[]> {
        const owners = new Set([DEFAULT_OWNER.toLowerCase()]);
        let systems;
        try {
            systems = await this.host.hcs.enumerateComputeSystems();
        } catch (err) {
            log.warn({ err: (err as Error).message }, "could not list the host's compute systems at start");
            return [];
        }
        const foreign = systems.filter((s) => s.Owner !== undefined && owners.has(s.Owner.toLowerCase()) && this.options.records.get(s.Id) === undefined);
        for (const system of foreign) {
            log.warn({ id: system.Id, owner: system.Owner, state: system.State }, "found a compute system of a pulumi-hcs owner that this agent did not create; leaving it alone");
            this.options.events.emit("FOUND_AT_START", { id: system.Id, runtimeId: system.RuntimeId }, { message: `not created by this agent (owner ${system.Owner}); left alone` });
        }
        return foreign.map((s) => s.Id);
    }

    private async resolve(json: string | undefined, field: string): Promise<ResolvedOptions> {
        let args: Record<string, unknown>;
        try {
            args = JSON.parse(json ?? "") as Record<string, unknown>;
        } catch {
            throw new AgentError(status.INVALID_ARGUMENT, `${field}.inputs_json is not JSON`);
        }
        if (args === null || typeof args !== "object" || Array.isArray(args)) throw new AgentError(status.INVALID_ARGUMENT, `${field}.inputs_json must be a JSON object`);
        // The VM goes on the agent's own host, whatever address the client reached it by.
        const { host, ...inputs } = args;
        const resolved = resolveOptions(inputs, await this.host.facts());
        if (!resolved.ok) throw new AgentError(status.INVALID_ARGUMENT, `${field}: ${resolved.failures.map(formatFailure).join("; ")}`);
        // That address is kept for one thing: the compute-system ID a create derives (uvm/identity.ts)
        // hashes `host` with the other replacing inputs, and must be the one the client's check predicted.
        return typeof host === "string" && host !== "" ? { ...resolved.options, host } : resolved.options;
    }

    private async mutation<T>(action: () => Promise<T>): Promise<T> {
        if (this.draining) throw new AgentError(status.UNAVAILABLE, "the agent is draining (stopping for an upgrade) and takes no more changes");
        this.inFlight++;
        try {
            return await action();
        } finally {
            this.inFlight--;
            if (this.inFlight === 0 && this.idle) {
                this.idle();
                this.idle = undefined;
            }
        }
    }

    private remember<T>(map: Map<string, Remembered<T>>, requestId: string, entry: Remembered<T>): void {
        map.set(requestId, entry);
        entry.result.catch(() => map.delete(requestId));
        if (map.size > REMEMBERED_UPDATES) map.delete(map.keys().next().value!);
    }
}

/** A request ID is required on mutations (the client generates a UUID and reuses it on retries). */
function requireRequestId(requestId: string): string {
    if (requestId.trim() === "") throw new AgentError(status.INVALID_ARGUMENT, "request_id is required on every change (a UUID the client reuses when it retries)");
    if (requestId.length > 128) throw new AgentError(status.INVALID_ARGUMENT, "request_id is longer than 128 characters");
    return requestId;
}

function sameRequest<T>(remembered: Remembered<T>, digest: string, requestId: string): Promise<T> {
    if (remembered.digest !== digest) throw reused(requestId);
    return remembered.result;
}

function reused(requestId: string): AgentError {
    return new AgentError(status.ALREADY_EXISTS, `request ID ${requestId} was used before with a different request; a retry must send the same request, a new change a new ID`);
}

/** A digest of a request's meaning (normalized options), so two spellings of one spec compare equal. */
function digestOf(value: unknown): string {
    return createHash("sha256").update(stableJson(value)).digest("hex");
}

function stableJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** UpdateVmRequest.current: the in-place settings and state the client's state records. */
function parseCurrent(json: string | undefined): InPlaceSettings & { state: SystemState } {
    let value: Record<string, unknown>;
    try {
        value = JSON.parse(json ?? "") as Record<string, unknown>;
    } catch {
        throw new AgentError(status.INVALID_ARGUMENT, "current.inputs_json is not JSON");
    }
    if (value === null || typeof value !== "object") throw new AgentError(status.INVALID_ARGUMENT, "current.inputs_json must be a JSON object");
    return value as unknown as InPlaceSettings & { state: SystemState };
}

/** A fresh request ID (the client's, for each new change). */
export function newRequestId(): string {
    return randomUUID();
}
