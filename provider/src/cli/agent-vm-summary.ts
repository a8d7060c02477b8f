import type { WireVm } from "../agent/api";
import { guestConnectionOf } from "../agent/wire-vm";
import type { GuestConnectionStatus } from "../uvm/state";
import type { SystemSummary } from "./system-summary";
import { resourceNameOf } from "./vm-resource";

/**
 * What `ps` shows of a VM a host agent reports: the direct path's columns, as far as the agent's
 * `Vm` message carries them, and the guest connection, which only an agent holds.
 */
export interface AgentVmSummary extends SystemSummary {
    /** When the agent created the VM (`Vm.created_at`); AGE counts from it, since HCS's start time is not in the message. */
    readonly createdAt: string | null;
    /** `connected` (the agent holds it), `lost` (it ended: the agent restarted since), `none` (never started). */
    readonly guestConnection: GuestConnectionStatus;
    /** `Memory.SizeInMB` of the document the agent created the VM with (an in-place update may have changed it since). */
    readonly memorySizeInMB: number | null;
}

/** A `Vm` as `ps` shows it; `now` in ms, for the age. */
export function summarizeAgentVm(vm: WireVm, now: number): AgentVmSummary {
    const topology = field(field(parseDocument(vm.document), "VirtualMachine"), "ComputeTopology");
    const created = Date.parse(vm.created_at);
    const urn = vm.resource !== "" ? vm.resource : null;
    return {
        id: vm.id,
        name: urn === null ? null : resourceNameOf(urn),
        resource: urn,
        owner: vm.owner,
        state: vm.state,
        runtimeId: vm.runtime_id,
        startedAt: null,
        ageSeconds: Number.isFinite(created) ? Math.max(0, Math.floor((now - created) / 1000)) : null,
        processorCount: positive(field(field(topology, "Processor"), "Count")),
        assignedMemoryInMB: vm.has_assigned_memory ? vm.assigned_memory_mb : null,
        createdAt: Number.isFinite(created) ? new Date(created).toISOString() : null,
        guestConnection: guestConnectionOf(vm),
        memorySizeInMB: positive(field(field(topology, "Memory"), "SizeInMB")),
    };
}

/**
 * The agent's `Vm` as `inspect` prints it: the message's own fields, with the document (and the
 * observed settings of an adopted VM) parsed, so `jq` reaches into them; null where there is none.
 */
export function agentVmDetail(vm: WireVm): Record<string, unknown> {
    return {
        ...vm,
        document: vm.document === "" ? null : parseDocument(vm.document) ?? vm.document,
        observed_json: vm.observed_json === "" ? null : parseDocument(vm.observed_json) ?? vm.observed_json,
    };
}

/** The JSON text as a value; undefined when it is empty or not JSON (an agent's bug is no reason to fail a listing). */
function parseDocument(text: string): unknown {
    if (text === "") return undefined;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** A positive number; null for 0 (the platform default, so not known here) and anything else. */
function positive(value: unknown): number | null {
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

function field(value: unknown, name: string): unknown {
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
}
