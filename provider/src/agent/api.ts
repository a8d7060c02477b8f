import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

/** The API this agent serves and this provider speaks (the `.proto` package). */
export const API_VERSION = "pulumi_hcs.agent.v1";

/** Behaviours a client may rely on (AgentInfo.capabilities); add-only, like the API. */
export const CAPABILITIES = ["idempotent-create", "watch", "drain", "guest-connection"] as const;

/** `provider/proto`, from `dist/src/agent` (the package's compiled code) or `src/agent` (ts-jest). */
export const PROTO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../../../proto" : "../../proto");

const LOADER_OPTIONS: protoLoader.Options = {
    // Field names as the .proto spells them (snake_case), so the wire shape reads like the API file.
    keepCase: true,
    // 64-bit integers as numbers: budgets and memory sizes stay far below 2^53.
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    oneofs: false,
    includeDirs: [PROTO_ROOT],
};

interface LoadedApi {
    readonly hostAgent: grpc.ServiceClientConstructor;
    readonly health: grpc.ServiceClientConstructor;
}

let loaded: LoadedApi | undefined;

/** The HostAgent and grpc.health.v1 services, loaded once per process from the `.proto` files. */
export function agentApi(): LoadedApi {
    if (loaded) return loaded;
    const definition = protoLoader.loadSync(["pulumi_hcs/agent/v1/agent.proto", "grpc/health/v1/health.proto"], LOADER_OPTIONS);
    const root = grpc.loadPackageDefinition(definition) as unknown as {
        pulumi_hcs: { agent: { v1: { HostAgent: grpc.ServiceClientConstructor } } };
        grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    };
    loaded = { hostAgent: root.pulumi_hcs.agent.v1.HostAgent, health: root.grpc.health.v1.Health };
    return loaded;
}

/** The guest connection as the API spells it. */
export type WireGuestConnection = "GUEST_CONNECTION_UNSPECIFIED" | "GUEST_CONNECTION_NONE" | "GUEST_CONNECTION_LOST" | "GUEST_CONNECTION_CONNECTED";

/** `Vm` (agent.proto). */
export interface WireVm {
    id: string;
    runtime_id: string;
    state: string;
    owner: string;
    assigned_memory_mb: number;
    has_assigned_memory: boolean;
    guest_connection: WireGuestConnection;
    guest_os_type: string;
    guest_protocol_version: number;
    uvm_folder: string;
    scratch_path: string;
    scratch_created: boolean;
    created_folders: string[];
    document: string;
    observed_json: string;
    resource: string;
    created_at: string;
    request_id: string;
}

/** `AgentInfo` (agent.proto). */
export interface WireAgentInfo {
    api_version: string;
    agent_version: string;
    capabilities: string[];
    host_identity: string;
    host_build: number;
    logical_processors: number;
    creator_processors: number;
    instance_id: string;
    caller_identity: string;
    caller_role: string;
    draining: boolean;
    layer_roots: string[];
    scratch_roots: string[];
    dump_roots: string[];
}

export interface WireCreateVmRequest {
    request_id: string;
    spec: { inputs_json: string } | null;
    resource: string;
    budget_ms: number;
}

export interface WireUpdateVmRequest {
    request_id: string;
    id: string;
    current: { inputs_json: string } | null;
    desired: { inputs_json: string } | null;
    budget_ms: number;
}

export interface WireUpdateVmResponse {
    vm: WireVm | null;
    applied: string[];
    failures: { field: string; message: string }[];
}

export interface WireDeleteVmRequest {
    request_id: string;
    id: string;
    runtime_id: string;
    resource: string;
    budget_ms: number;
    scratch_path: string;
    scratch_created: boolean;
}

export type WireEventKind = "KIND_UNSPECIFIED" | "EXISTING" | "CREATED" | "STARTED" | "GUEST_CONNECTED" | "UPDATED" | "EXITED" | "DELETED" | "FOUND_AT_START";

export interface WireVmEvent {
    kind: WireEventKind;
    id: string;
    runtime_id: string;
    time: string;
    hresult: number;
    message: string;
}

/**
 * Trailing metadata key of a failed call: JSON (AgentErrorDetail) that lets the client rebuild the
 * lifecycle's error, with the step, the HRESULT and what a failed create left behind.
 */
export const ERROR_DETAIL_KEY = "pulumi-hcs-error";

/** Trailing metadata key on every status the agent itself sends (so `UNAVAILABLE: draining` is not retried). */
export const ANSWERED_KEY = "pulumi-hcs-answered";

export interface AgentErrorDetail {
    /** The lifecycle step that failed (UvmStepError.step). */
    readonly step?: string;
    readonly computeSystemId?: string;
    readonly action?: string;
    readonly hresult?: number;
    readonly hresultName?: string;
    readonly leftBehind?: Record<string, unknown>;
    readonly rollbackFailures?: readonly { readonly step: string; readonly message: string }[];
}
