/**
 * A connection to a utility VM's guest compute service, ported from hcsshim v0.12.9
 * `internal/gcs/guestconnection.go`: negotiate protocol version 4, record what the guest says about
 * itself, and (on a cold start, when the guest asks for them) send the create and start messages
 * for the VM itself, carrying its time zone.
 */
import { Bridge, type BridgeTransport } from "./bridge";
import { goJsonText } from "./go-encoder-json";
import {
    NULL_CONTAINER_ID, PROTOCOL_VERSION, RPC, ZERO_GUID, type GcsCapabilities, type GuestDefinedCapabilities,
    type NegotiateProtocolRequest, type NegotiateProtocolResponse, type RequestBase, type ResponseBase, type SystemTime,
    type TimeZoneInformation, type UvmConfig,
} from "./protocol";

/** `InitialGuestState`: settings applied to the guest on creation/start. */
export interface InitialGuestState {
    /** Only honored for Windows guests. */
    readonly timeZone?: TimeZoneInformation;
}

export interface ConnectOptions {
    /** The bridge's per-RPC failure timeout (hcsshim's five minutes). */
    readonly requestTimeoutMs: number;
    /** hcsshim's context: aborting it stops the RPCs that allow cancelling. */
    readonly signal?: AbortSignal;
    /** True on the first connection after boot (hcsshim's `isColdStart`). */
    readonly isColdStart?: boolean;
    readonly initialGuestState?: InitialGuestState;
    /** Names the connection in logs (the compute-system ID). */
    readonly name?: string;
}

/** What negotiation established (hcsshim caches it as the UVM's `guestCaps` and `protocol`). */
export interface NegotiatedGuest {
    /** The protocol version in use: always PROTOCOL_VERSION once connected. */
    readonly protocolVersion: number;
    /** The guest's OS, lower-cased (`windows` when the guest does not say). */
    readonly osType: string;
    readonly capabilities: GuestDefinedCapabilities;
    /** The capabilities as the guest sent them, for logs. */
    readonly gcsCapabilities: GcsCapabilities;
}

export class GuestConnection {
    private constructor(private readonly bridge: Bridge, readonly negotiated: NegotiatedGuest) {}

    /**
     * `GuestConnectionConfig.Connect`: starts a bridge on `transport` and negotiates. The transport
     * is closed on failure.
     * @throws Error with hcsshim's text: `unexpected version N returned`, `guest RPC failure: …`,
     *   `bridge closed: …`, or the signal's reason.
     */
    static async connect(transport: BridgeTransport, options: ConnectOptions): Promise<GuestConnection> {
        const bridge = new Bridge(transport, { timeoutMs: options.requestTimeoutMs, ...(options.name ? { name: options.name } : {}) });
        bridge.start();
        try {
            const negotiated = await negotiate(bridge, options);
            return new GuestConnection(bridge, negotiated);
        } catch (err) {
            bridge.close();
            throw err;
        }
    }

    /**
     * `Modify`: a modify-settings request for the null container (the VM itself). Not cancellable,
     * as in hcsshim: a modify's response must be read, so it waits for the bridge timeout at most.
     * @throws GuestRpcError or BridgeClosedError.
     */
    async modify(settings: unknown): Promise<void> {
        const request = { ...makeRequest(NULL_CONTAINER_ID), Request: settings };
        await this.bridge.rpc<ResponseBase>(RPC.ModifySettings, request, { allowCancel: false });
    }

    /** `Close`: ends the bridge; returns the error that had ended it, if any. */
    close(): Error | undefined {
        return this.bridge.close();
    }

    /** Resolves when the connection has ended, with the error that ended it, if any. */
    ended(): Promise<Error | undefined> {
        return this.bridge.wait();
    }
}

/** `connect`: hcsshim asks for exactly version 4 and refuses any other answer. */
async function negotiate(bridge: Bridge, options: ConnectOptions): Promise<NegotiatedGuest> {
    const request: NegotiateProtocolRequest = {
        // hcsshim leaves this request's base zero-valued: an empty container ID.
        ContainerId: "",
        ActivityId: ZERO_GUID,
        MinimumVersion: PROTOCOL_VERSION,
        MaximumVersion: PROTOCOL_VERSION,
    };
    const cancellable = { allowCancel: true, ...(options.signal ? { signal: options.signal } : {}) };
    const response = await bridge.rpc<NegotiateProtocolResponse>(RPC.NegotiateProtocol, request, cancellable);
    const version = typeof response.Version === "number" ? response.Version : 0;
    if (version !== PROTOCOL_VERSION) throw new Error(`unexpected version ${version} returned`);
    const capabilities = response.Capabilities ?? {};
    const osType = (typeof capabilities.RuntimeOsType === "string" ? capabilities.RuntimeOsType : "").toLowerCase() || "windows";
    if ((options.isColdStart ?? true) && capabilities.SendHostCreateMessage === true) {
        const config: UvmConfig = {
            SystemType: "Container",
            TimeZoneInformation: options.initialGuestState?.timeZone ? timeZoneInGoOrder(options.initialGuestState.timeZone) : null,
        };
        // `anyInString`: the configuration travels as a JSON string holding json.Marshal's output.
        const create = { ...makeRequest(NULL_CONTAINER_ID), ContainerConfig: goJsonText(config, { escapeHtml: true }) };
        await bridge.rpc<ResponseBase>(RPC.Create, create, cancellable);
        if (capabilities.SendHostStartMessage === true) {
            await bridge.rpc<ResponseBase>(RPC.Start, makeRequest(NULL_CONTAINER_ID), cancellable);
        }
    }
    return { protocolVersion: PROTOCOL_VERSION, osType, capabilities: knownCapabilities(capabilities.GuestDefinedCapabilities), gcsCapabilities: capabilities };
}

/** `makeRequest` without a trace span (see RequestBase): the container, and a zero ActivityId. */
function makeRequest(containerId: string): RequestBase {
    return { ContainerId: containerId, ActivityId: ZERO_GUID };
}

/** hcsshim decodes the guest's capabilities into schema1.GuestDefinedCapabilities, keeping only its fields. */
function knownCapabilities(value: unknown): GuestDefinedCapabilities {
    const source = (value !== null && typeof value === "object" ? value : {}) as Record<string, unknown>;
    const known: Record<string, boolean> = {};
    for (const name of ["NamespaceAddRequestSupported", "SignalProcessSupported", "DumpStacksSupported", "DeleteContainerStateSupported", "UpdateContainerSupported"]) {
        if (source[name] === true) known[name] = true;
    }
    return known;
}

const SYSTEM_TIME_FIELDS = ["Year", "Month", "DayOfWeek", "Day", "Hour", "Minute", "Second", "Milliseconds"] as const;

/**
 * A TimeZoneInformation with Go's field order and `omitempty`: zero numbers and empty names left
 * out, dates (pointers) kept even when every field is zero (`{}`).
 */
export function timeZoneInGoOrder(zone: TimeZoneInformation): TimeZoneInformation {
    const date = (time: SystemTime | undefined): SystemTime | undefined => {
        if (time === undefined) return undefined;
        const ordered: Record<string, number> = {};
        for (const field of SYSTEM_TIME_FIELDS) if (time[field]) ordered[field] = time[field]!;
        return ordered;
    };
    const ordered: Record<string, unknown> = {};
    const put = (name: string, value: unknown) => {
        if (value !== undefined && value !== 0 && value !== "") ordered[name] = value;
    };
    put("Bias", zone.Bias);
    put("StandardName", zone.StandardName);
    put("StandardDate", date(zone.StandardDate));
    put("StandardBias", zone.StandardBias);
    put("DaylightName", zone.DaylightName);
    put("DaylightDate", date(zone.DaylightDate));
    put("DaylightBias", zone.DaylightBias);
    return ordered as TimeZoneInformation;
}
