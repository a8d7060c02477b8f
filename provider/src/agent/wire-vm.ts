import type { SystemState } from "../hcs";
import type { ObservedUtilityVm } from "../uvm/read";
import type { GuestConnectionStatus, ObservedSettings, UtilityVmState } from "../uvm/state";
import type { WireGuestConnection, WireVm } from "./api";

const TO_WIRE: Readonly<Record<GuestConnectionStatus, WireGuestConnection>> = {
    none: "GUEST_CONNECTION_NONE",
    lost: "GUEST_CONNECTION_LOST",
    connected: "GUEST_CONNECTION_CONNECTED",
};

/** What the agent knows of a VM besides its lifecycle state. */
export interface VmFacts {
    readonly resource?: string | undefined;
    readonly createdAt?: string | undefined;
    readonly requestId?: string | undefined;
    readonly owner?: string | undefined;
    readonly assignedMemoryInMB?: number | undefined;
}

/** A lifecycle state as the API's `Vm`. */
export function vmToWire(state: UtilityVmState, facts: VmFacts = {}): WireVm {
    return {
        id: state.computeSystemId,
        runtime_id: state.runtimeId,
        state: state.state,
        owner: facts.owner ?? "",
        assigned_memory_mb: facts.assignedMemoryInMB ?? 0,
        has_assigned_memory: facts.assignedMemoryInMB !== undefined,
        guest_connection: TO_WIRE[state.guestConnection],
        guest_os_type: state.guestOsType ?? "",
        guest_protocol_version: state.guestProtocolVersion ?? 0,
        uvm_folder: state.uvmFolder,
        scratch_path: state.scratchPath,
        scratch_created: state.scratchCreated,
        created_folders: [...state.createdFolders],
        document: state.document,
        observed_json: state.observed !== undefined ? JSON.stringify(state.observed) : "",
        resource: facts.resource ?? "",
        created_at: facts.createdAt ?? "",
        request_id: facts.requestId ?? "",
    };
}

/** The guest connection a `Vm` reports; an unknown value (a newer agent's) reads as `none`. */
export function guestConnectionOf(vm: WireVm): GuestConnectionStatus {
    if (vm.guest_connection === "GUEST_CONNECTION_CONNECTED") return "connected";
    if (vm.guest_connection === "GUEST_CONNECTION_LOST") return "lost";
    return "none";
}

/** A `Vm` as the lifecycle state the provider records. */
export function vmFromWire(vm: WireVm): UtilityVmState {
    const observed = vm.observed_json !== "" ? (JSON.parse(vm.observed_json) as ObservedSettings) : undefined;
    return {
        computeSystemId: vm.id,
        runtimeId: vm.runtime_id,
        state: vm.state as SystemState,
        uvmFolder: vm.uvm_folder,
        scratchPath: vm.scratch_path,
        scratchCreated: vm.scratch_created,
        createdFolders: vm.created_folders,
        document: vm.document,
        guestConnection: guestConnectionOf(vm),
        ...(vm.guest_os_type !== "" ? { guestOsType: vm.guest_os_type } : {}),
        ...(vm.guest_protocol_version !== 0 ? { guestProtocolVersion: vm.guest_protocol_version } : {}),
        ...(observed !== undefined ? { observed } : {}),
    };
}

/** A `Vm` as what a refresh observes. */
export function observedFromWire(vm: WireVm): ObservedUtilityVm & { readonly guestConnection: GuestConnectionStatus } {
    return {
        state: vm.state as SystemState,
        runtimeId: vm.runtime_id,
        owner: vm.owner !== "" ? vm.owner : undefined,
        assignedMemoryInMB: vm.has_assigned_memory ? vm.assigned_memory_mb : undefined,
        guestConnection: guestConnectionOf(vm),
    };
}
