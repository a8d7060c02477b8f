/**
 * The simulator's control interface: JSON lines on `<root>/control.sock`, separate from the HCS
 * protocol. A client writes one request object per line and reads one response object per line:
 *
 *     → {"id":1,"cmd":"fault","action":"fail","fn":"HcsStartComputeSystem","hresult":"0x80370118","nth":1,"times":1}
 *     ← {"id":1,"ok":true,"result":{...}}       or   {"id":1,"ok":false,"error":"..."}
 */
import type { GuestView } from "./guest/simulated-guest";

export type ControlRequest =
    | { readonly cmd: "ping" }
    | { readonly cmd: "state" }
    | { readonly cmd: "stop" }
    | { readonly cmd: "kill"; readonly id: string }
    | { readonly cmd: "fault"; readonly action: "fail"; readonly fn: string; readonly hresult: string | number; readonly nth?: number; readonly times?: number }
    | { readonly cmd: "fault"; readonly action: "latency"; readonly fn: string; readonly ms: number }
    | { readonly cmd: "fault"; readonly action: "hang"; readonly fn: string }
    | { readonly cmd: "fault"; readonly action: "crash"; readonly fn?: string }
    | {
        readonly cmd: "fault"; readonly action: "guest"; readonly mode: string; readonly system?: string; readonly delayMs?: number;
        readonly at?: string; readonly version?: number; readonly hresult?: string | number;
    }
    | { readonly cmd: "fault"; readonly action: "clear"; readonly fn?: string }
    | { readonly cmd: "fault"; readonly action: "list" };

export type ControlResponse = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

export interface FaultView {
    readonly kind: "fail" | "latency" | "hang" | "crash" | "guest";
    /** The computecore function; `GCS` for a guest fault. */
    readonly fn: string;
    readonly hresult?: string;
    readonly nth?: number;
    readonly times?: number;
    readonly ms?: number;
    /** Guest faults (guest/guest-faults.ts): the mode, and the system, delay, request and version it takes. */
    readonly mode?: string;
    /** The compute system a guest fault is for (all when absent). */
    readonly system?: string;
    readonly delayMs?: number;
    readonly at?: string;
    readonly version?: number;
}

/** A simulated guest, as `state` shows it: the guest's own view (a type only, so clients load none of it). */
export type GuestStateView = GuestView;

/** What `state` returns. */
export interface SimulatorState {
    readonly pid: number;
    readonly root: string;
    /** The host's identity, as the `Simulator` service property reports it (`HostId`). */
    readonly hostId: string;
    readonly build: number;
    readonly logicalProcessors: number;
    readonly socket: string;
    readonly tcp: string | null;
    readonly systems: readonly {
        readonly id: string;
        readonly state: string;
        readonly owner: string;
        readonly runtimeId: string;
        readonly exitType: string | null;
        readonly terminateOnLastHandleClosed: boolean;
        readonly handles: number;
        readonly createdAt: string;
        readonly startedAt: string | null;
        readonly memorySizeInMB: number;
        readonly processorCount: number;
        /** The VM's guest since it last started; null when it never ran under this service. */
        readonly guest: GuestStateView | null;
    }[];
    /** Bound Hyper-V sockets: which client process listens for which (VM ID, service ID). */
    readonly hvSockets: readonly {
        readonly vmId: string;
        readonly serviceId: string;
        readonly address: string;
        readonly connection: number;
        readonly pid: number | null;
    }[];
    readonly connections: readonly {
        readonly id: number;
        readonly pid: number | null;
        readonly transport: "unix" | "tcp";
        readonly handles: readonly { readonly id: number; readonly system: string | null; readonly callback: boolean }[];
    }[];
    readonly grants: readonly { readonly path: string; readonly vmIds: readonly string[]; readonly group: boolean }[];
    /** The virtual disks live systems hold open (path as the system's document names it). */
    readonly openDisks: readonly { readonly path: string; readonly system: string; readonly readOnly: boolean }[];
    readonly calls: Readonly<Record<string, number>>;
    readonly faults: readonly FaultView[];
}
