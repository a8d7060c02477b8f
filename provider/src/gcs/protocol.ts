/**
 * The host side of the GCS bridge protocol: the message codes and shapes hcsshim's external bridge
 * uses to talk to the guest compute service of a Windows utility VM. Ported from hcsshim v0.12.9
 * `internal/gcs/protocol.go` (and `internal/gcs/guestconnection.go` for the version and the null
 * container); field names and declaration order are Go's, because the guest parses this JSON.
 */

/** `WindowsGcsHvsockServiceID`: the Hyper-V socket service the Windows GCS dials on the host. */
export const WINDOWS_GCS_HVSOCK_SERVICE_ID = "acef5661-84a1-4e44-856b-6245e69f4620";

/** `WindowsGcsHvHostID`: the address of the VM's parent, sent to the guest in the HvSocket settings. */
export const WINDOWS_GCS_HV_HOST_ID = "894cc2d6-9d79-424f-93fe-42969ae6d8d1";

/** `protocolVersion`: the only version hcsshim speaks (it asks for exactly this one). */
export const PROTOCOL_VERSION = 4;

/** `nullContainerID`: requests about the utility VM itself name this container. */
export const NULL_CONTAINER_ID = "00000000-0000-0000-0000-000000000000";

/** The zero GUID, which is how Go writes an `ActivityId` nobody set. */
export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

/** `msgType`: the top 12 bits of a message's type word. */
export const MessageType = {
    Request: 0x10100000,
    Response: 0x20100000,
    Notify: 0x30100000,
} as const;

export const MESSAGE_TYPE_MASK = 0xfff00000;

/** `notifyContainer`: the one notification the host understands (`Notify(Container)`). */
export const NOTIFY_CONTAINER = (1 << 8) | 1;

/**
 * `rpcProc`: hcsshim numbers them `(iota+1)<<8 | 1` in this order, so the order is the protocol.
 * Names are hcsshim's `rpcProc.String()`.
 */
const RPC_NAMES = [
    "Create", "Start", "ShutdownGraceful", "ShutdownForced", "ExecuteProcess", "WaitForProcess", "SignalProcess",
    "ResizeConsole", "GetProperties", "ModifySettings", "NegotiateProtocol", "DumpStacks", "DeleteContainerState",
    "UpdateContainer", "LifecycleNotification",
] as const;

export type RpcName = (typeof RPC_NAMES)[number];

export const RPC: Readonly<Record<RpcName, number>> = Object.fromEntries(
    RPC_NAMES.map((name, iota) => [name, (((iota + 1) << 8) | 1) >>> 0]),
) as Record<RpcName, number>;

/** hcsshim's `rpcProc.String()`: the name, or `0x<hex>` for a code it does not know. */
export function rpcName(proc: number): string {
    const name = RPC_NAMES.find((n) => RPC[n] === proc);
    return name ?? `0x${proc.toString(16)}`;
}

/** hcsshim's `msgType.String()`, e.g. `Request(NegotiateProtocol)`, used in its error texts. */
export function messageTypeName(type: number): string {
    const kind = (type & MESSAGE_TYPE_MASK) >>> 0;
    const rest = (type & ~MESSAGE_TYPE_MASK) >>> 0;
    switch (kind) {
        case MessageType.Request:
            return `Request(${rpcName(rest)})`;
        case MessageType.Response:
            return `Response(${rpcName(rest)})`;
        case MessageType.Notify:
            return rest === NOTIFY_CONTAINER ? "Notify(Container)" : `Notify(0x${(type >>> 0).toString(16)})`;
        default:
            return `0x${(type >>> 0).toString(16)}`;
    }
}

/**
 * `requestBase`. hcsshim also sends `ocsc` (an OpenCensus span context) when its context carries a
 * span; the protocol does not need it ("not a part of the protocol", protocol.go), and we trace
 * nothing, so it is never sent.
 */
export interface RequestBase {
    readonly ContainerId: string;
    readonly ActivityId: string;
}

/** `responseBase`: every response starts with these. `Result` is an HRESULT (int32). */
export interface ResponseBase {
    readonly Result: number;
    readonly ErrorMessage?: string;
    readonly ActivityId?: string;
    readonly ErrorRecords?: readonly ErrorRecord[];
}

/** `errorRecord`: what the guest adds to a failed response. */
export interface ErrorRecord {
    readonly Result: number;
    readonly Message: string;
    readonly StackTrace?: string;
    readonly ModuleName: string;
    readonly FileName: string;
    readonly Line: number;
    readonly FunctionName?: string;
}

/** `negotiateProtocolRequest`. */
export interface NegotiateProtocolRequest extends RequestBase {
    readonly MinimumVersion: number;
    readonly MaximumVersion: number;
}

/** `gcsCapabilities`: what the guest says about itself when it agrees on a version. */
export interface GcsCapabilities {
    readonly SendHostCreateMessage?: boolean;
    readonly SendHostStartMessage?: boolean;
    readonly HvSocketConfigOnStartup?: boolean;
    readonly SupportedSchemaVersions?: readonly { readonly Major: number; readonly Minor: number }[];
    readonly RuntimeOsType?: string;
    readonly GuestDefinedCapabilities?: GuestDefinedCapabilities;
}

/** `schema1.GuestDefinedCapabilities`, which hcsshim decodes the guest's capabilities into. */
export interface GuestDefinedCapabilities {
    readonly NamespaceAddRequestSupported?: boolean;
    readonly SignalProcessSupported?: boolean;
    readonly DumpStacksSupported?: boolean;
    readonly DeleteContainerStateSupported?: boolean;
    readonly UpdateContainerSupported?: boolean;
}

/** `negotiateProtocolResponse`. */
export interface NegotiateProtocolResponse extends ResponseBase {
    readonly Version?: number;
    readonly Capabilities?: GcsCapabilities;
}

/** `hcsschema.SystemTime` (every field omitempty). */
export interface SystemTime {
    readonly Year?: number;
    readonly Month?: number;
    readonly DayOfWeek?: number;
    readonly Day?: number;
    readonly Hour?: number;
    readonly Minute?: number;
    readonly Second?: number;
    readonly Milliseconds?: number;
}

/** `hcsschema.TimeZoneInformation` (every field omitempty): the Windows TIME_ZONE_INFORMATION. */
export interface TimeZoneInformation {
    readonly Bias?: number;
    readonly StandardName?: string;
    readonly StandardDate?: SystemTime;
    readonly StandardBias?: number;
    readonly DaylightName?: string;
    readonly DaylightDate?: SystemTime;
    readonly DaylightBias?: number;
}

/**
 * `utcTimezone` (hcsshim `internal/uvm/timezone.go`): what the guest gets when the host's time zone
 * is not inherited (`noInheritHostTimezone`).
 */
export const UTC_TIME_ZONE: TimeZoneInformation = {
    StandardName: "Coordinated Universal Time",
    DaylightName: "Coordinated Universal Time",
    StandardDate: {},
    DaylightDate: {},
};

/** `uvmConfig`: the ContainerConfig of the host's create message for the utility VM itself. */
export interface UvmConfig {
    /** Always `Container`. */
    readonly SystemType: "Container";
    readonly TimeZoneInformation: TimeZoneInformation | null;
}

/** `hcsschema.HvSocketAddress`: the VM's own and its parent's Hyper-V socket addresses. */
export interface HvSocketAddress {
    readonly LocalAddress?: string;
    readonly ParentAddress?: string;
}

/** `guestrequest.ModificationRequest`: the `GuestRequest` part of a ModifySettingRequest. */
export interface ModificationRequest {
    readonly RequestType?: "Add" | "Remove" | "PreAdd" | "Update";
    readonly ResourceType?: string;
    readonly Settings?: unknown;
}
