/**
 * The guest compute service (GCS) of one simulated utility VM. When its VM starts, it "boots": after
 * the boot delay it dials the host at (its VM's runtime ID, the Windows GCS service ID), as the
 * Windows GCS dials hcsshim's external bridge, then answers the host's bridge requests. Everything it
 * does about the closed-source Windows guest is a GUESS, marked where it happens and listed in
 * docs/simulator.md; its protocol side follows hcsshim's open-source guest (`internal/guest`).
 */
import * as net from "node:net";
import type { Logger } from "../../../src/log/logger";
import type { HvSocketNamespace } from "../hv-socket-namespace";
import type { GuestFault } from "./guest-faults";
import { errorResponse, GuestMessageReader, REQUESTS, responseMessage, type GuestMessage, type RequestName } from "./guest-wire";

/** `WindowsGcsHvsockServiceID`: the service the Windows GCS dials on its host. */
export const GCS_SERVICE_ID = "acef5661-84a1-4e44-856b-6245e69f4620";

/** The null container: requests about the VM itself. */
const NULL_CONTAINER = "00000000-0000-0000-0000-000000000000";

/** prot.PvV4: the one protocol version a GCS of this era speaks (hcsshim asks for exactly 4). */
const GUEST_PROTOCOL_VERSION = 4;

const HR = {
    /** HrVmcomputeUnsupportedProtocolVersion, what the open-source guest answers a version it lacks. */
    UNSUPPORTED_PROTOCOL_VERSION: 0xc037010c | 0,
    NOT_SUPPORTED: 0x80070032 | 0,
    NOT_IMPLEMENTED: 0x80004001 | 0,
    INVALID_ARGUMENT: 0x80070057 | 0,
} as const;

/**
 * GUESS: the capabilities a Windows GCS reports. SendHostCreateMessage: hcsshim sends the VM's time
 * zone in the host's create message and says "Timezone is only honored for Windows guests", which it
 * could not be unless Windows guests ask for that message. SendHostStartMessage: a create is followed
 * by a start for every other system hcsshim creates. HvSocketConfigOnStartup: hcsshim's start.go says
 * HCS itself sends the HvSocket settings right after it connects to a Windows GCS, which is what this
 * capability asks for. The schema versions and guest-defined capabilities mirror the open-source guest.
 */
const WINDOWS_CAPABILITIES = {
    SendHostCreateMessage: true,
    SendHostStartMessage: true,
    HvSocketConfigOnStartup: true,
    SupportedSchemaVersions: [{ Major: 2, Minor: 1 }],
    RuntimeOsType: "Windows",
    GuestDefinedCapabilities: {
        NamespaceAddRequestSupported: true,
        SignalProcessSupported: true,
        DumpStacksSupported: true,
        DeleteContainerStateSupported: true,
    },
};

/** Where the guest is: what `sim state` shows for it. */
export type GuestPhase =
    | "booting" // started; the boot delay has not passed
    | "not-dialing" // fault never-dial: booted, and will not dial
    | "no-listener" // dialed, and nothing listened there
    | "connected" // dialed, accepted; not negotiated yet
    | "negotiated" // agreed on a protocol version with the host
    | "closed-by-guest" // fault close-mid-negotiation
    | "disconnected" // the host closed the connection (or it broke)
    | "lost-at-restart" // the simulator restarted: the guest's connection went with it
    | "off"; // the VM stopped

/** What the control interface's `state` shows for a guest. */
export interface GuestView {
    readonly phase: GuestPhase;
    /** The address it dialed, when it dialed. */
    readonly dialed: string | null;
    /** The requests it received, by name, in order. */
    readonly requests: readonly string[];
    readonly protocolVersion: number | null;
    /** The HvSocket settings the host sent (LocalAddress, ParentAddress). */
    readonly hvSocket: Readonly<Record<string, unknown>> | null;
    /** The time zone from the host's create message (null: the message said none; absent: no message). */
    readonly timeZone?: unknown;
    readonly started: boolean;
    readonly faults: readonly string[];
}

export interface GuestOptions {
    readonly systemId: string;
    /** The VM's runtime ID: the Hyper-V socket VM ID the guest dials from. */
    readonly runtimeId: string;
    readonly namespace: HvSocketNamespace;
    readonly bootDelayMs: number;
    readonly faults: readonly GuestFault[];
    readonly log: Logger;
}

export class SimulatedGuest {
    private phase: GuestPhase = "booting";
    private dialed: string | null = null;
    private readonly requests: string[] = [];
    private protocolVersion: number | null = null;
    private hvSocket: Record<string, unknown> | null = null;
    private timeZone: unknown = undefined;
    private started = false;
    private silent = false;
    private socket: net.Socket | undefined;
    private timer: NodeJS.Timeout | undefined;

    constructor(private readonly options: GuestOptions) {}

    /** A guest whose connection did not survive a simulator restart (its VM still runs). */
    static lostAtRestart(options: GuestOptions): SimulatedGuest {
        const guest = new SimulatedGuest(options);
        guest.phase = "lost-at-restart";
        return guest;
    }

    /** Starts booting: dials after the boot delay, or as a fault says. */
    boot(): void {
        const neverDial = this.fault("never-dial");
        const late = this.fault("dial-late");
        const delay = late?.delayMs ?? this.options.bootDelayMs;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            if (neverDial) {
                this.phase = "not-dialing";
                this.options.log.info({ id: this.options.systemId }, "guest booted and, by fault never-dial, does not dial the host");
                return;
            }
            this.dial();
        }, delay);
        this.timer.unref();
    }

    /** The VM stopped: the guest's connection ends with it. */
    powerOff(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.phase = "off";
        this.socket?.destroy();
        this.socket = undefined;
    }

    view(): GuestView {
        return {
            phase: this.phase,
            dialed: this.dialed,
            requests: [...this.requests],
            protocolVersion: this.protocolVersion,
            hvSocket: this.hvSocket,
            ...(this.timeZone !== undefined ? { timeZone: this.timeZone } : {}),
            started: this.started,
            faults: this.options.faults.map((f) => f.mode),
        };
    }

    private fault(mode: GuestFault["mode"]): GuestFault | undefined {
        return this.options.faults.find((f) => f.mode === mode);
    }

    /**
     * GUESS: the Windows GCS dials its host once, at boot, and does not retry when nothing listens
     * (hcsshim binds its listener before starting the VM for this reason: PR #2723).
     */
    private dial(): void {
        const { log, systemId, runtimeId, namespace } = this.options;
        const address = namespace.lookup(runtimeId, GCS_SERVICE_ID);
        if (address === undefined) {
            this.phase = "no-listener";
            log.info({ id: systemId, runtimeId }, "guest dialed its host, and no process listens for it");
            return;
        }
        this.dialed = address;
        const socket = address.startsWith("unix:")
            ? net.createConnection({ path: address.slice("unix:".length) })
            : net.createConnection({ host: "127.0.0.1", port: Number(address.slice(address.lastIndexOf(":") + 1)) });
        this.socket = socket;
        const reader = new GuestMessageReader();
        socket.once("connect", () => {
            this.phase = "connected";
            log.info({ id: systemId, address }, "guest connected to its host");
        });
        socket.on("data", (chunk: Buffer) => {
            let messages: GuestMessage[];
            try {
                messages = reader.push(chunk);
            } catch (err) {
                log.warn({ id: systemId, err: (err as Error).message }, "guest dropping a host that sent a malformed message");
                socket.destroy();
                return;
            }
            for (const message of messages) this.receive(socket, message);
        });
        socket.on("error", (err: NodeJS.ErrnoException) => {
            if (this.phase === "booting") {
                this.phase = "no-listener";
                log.info({ id: systemId, address, err: err.message }, "guest dialed its host, and nothing accepted");
            }
        });
        socket.on("close", () => {
            if (this.phase === "connected" || this.phase === "negotiated") {
                // GUESS: a Windows GCS whose host closed the bridge does not dial again.
                this.phase = "disconnected";
                log.info({ id: systemId }, "the host closed the guest connection");
            }
            if (this.socket === socket) this.socket = undefined;
        });
    }

    private receive(socket: net.Socket, message: GuestMessage): void {
        const name = (REQUESTS as Record<number, RequestName>)[message.type >>> 0] ?? `0x${(message.type >>> 0).toString(16)}`;
        this.requests.push(name);
        if (this.silent) return;
        const stop = this.fault("stop-answering");
        if (stop && stop.at === name) {
            this.silent = true;
            this.options.log.info({ id: this.options.systemId, at: name }, "guest stops answering (fault stop-answering)");
            return;
        }
        const fail = this.fault("fail-request");
        if (fail && fail.at === name) {
            socket.write(responseMessage(message, errorResponse(fail.hresult!, `injected by the HCS simulator: fault 'guest fail-request' at ${name}`, name)));
            return;
        }
        let body: unknown;
        try {
            body = this.answer(name, parse(message.payload));
        } catch (err) {
            body = errorResponse(HR.INVALID_ARGUMENT, `${name}: ${(err as Error).message}`, name);
        }
        if (body === CLOSE) {
            this.phase = "closed-by-guest";
            socket.destroy();
            return;
        }
        socket.write(responseMessage(message, body));
    }

    /** The response to one request, or CLOSE to drop the connection. */
    private answer(name: string, request: Record<string, unknown>): unknown {
        switch (name) {
            case "NegotiateProtocol":
                return this.negotiate(request);
            case "Create":
                return this.create(request);
            case "Start":
                if (request.ContainerId !== NULL_CONTAINER) return errorResponse(HR.NOT_SUPPORTED, notSimulated("containers"), name);
                this.started = true;
                return { Result: 0 };
            case "ModifySettings":
                return this.modify(request);
            case "DumpStacks":
                return { Result: 0, GuestStacks: "simulated guest: no stacks to dump\n" };
            default:
                // The open-source guest's answer to a message it has no handler for.
                return errorResponse(HR.NOT_IMPLEMENTED, `bridge: function not supported, header type: ${name}`, name);
        }
    }

    /** prot's negotiateProtocolV2: agree on min(ours, theirs) when the ranges meet, else refuse. */
    private negotiate(request: Record<string, unknown>): unknown {
        if (this.fault("close-mid-negotiation")) return CLOSE;
        const ours = this.fault("unsupported-version")?.version ?? GUEST_PROTOCOL_VERSION;
        const minimum = Number(request.MinimumVersion);
        const maximum = Number(request.MaximumVersion);
        // GUESS: a Windows GCS refuses a version it lacks as the open-source guest does (this HRESULT).
        if (!(maximum >= ours && minimum <= ours)) {
            return errorResponse(HR.UNSUPPORTED_PROTOCOL_VERSION,
                `protocol version ${minimum === maximum ? minimum : `${minimum} to ${maximum}`} is not supported: this guest speaks ${ours}`, "NegotiateProtocol");
        }
        this.protocolVersion = ours;
        this.phase = "negotiated";
        return { Result: 0, Version: ours, Capabilities: WINDOWS_CAPABILITIES };
    }

    /** The host's create message for the VM itself, carrying its time zone in ContainerConfig (a JSON string). */
    private create(request: Record<string, unknown>): unknown {
        if (request.ContainerId !== NULL_CONTAINER) return errorResponse(HR.NOT_SUPPORTED, notSimulated("containers"), "Create");
        if (typeof request.ContainerConfig !== "string") throw new Error("ContainerConfig must be a JSON string");
        const config = JSON.parse(request.ContainerConfig) as { SystemType?: unknown; TimeZoneInformation?: unknown };
        if (config.SystemType !== "Container") throw new Error(`SystemType must be "Container", got ${JSON.stringify(config.SystemType)}`);
        this.timeZone = config.TimeZoneInformation ?? null;
        return { Result: 0 };
    }

    /** ModifySettings for the VM itself: the HvSocket addresses (GUESS: the only one the guest accepts). */
    private modify(request: Record<string, unknown>): unknown {
        if (request.ContainerId !== NULL_CONTAINER) return errorResponse(HR.NOT_SUPPORTED, notSimulated("containers"), "ModifySettings");
        const change = (request.Request ?? {}) as { RequestType?: unknown; ResourceType?: unknown; Settings?: unknown };
        if (change.ResourceType !== "HvSocket") {
            return errorResponse(HR.NOT_SUPPORTED,
                `guest resource type ${JSON.stringify(change.ResourceType)} is not simulated by the HCS simulator's guest (only HvSocket is)`, "ModifySettings");
        }
        if (change.RequestType !== "Update") throw new Error(`HvSocket takes RequestType "Update", got ${JSON.stringify(change.RequestType)}`);
        const settings = (change.Settings ?? {}) as Record<string, unknown>;
        this.hvSocket = { LocalAddress: settings.LocalAddress, ParentAddress: settings.ParentAddress };
        return { Result: 0 };
    }
}

/** Returned by `answer` to drop the connection instead of answering. */
const CLOSE = Symbol("close");

function notSimulated(what: string): string {
    return `${what} are not simulated by the HCS simulator's guest (only the utility VM itself, the null container)`;
}

function parse(payload: Buffer): Record<string, unknown> {
    const value = JSON.parse(payload.toString("utf8")) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("the request is not a JSON object");
    return value as Record<string, unknown>;
}
