/**
 * Faults of the simulated guest, set over the control interface (`fault guest <mode>`): a guest
 * boots with the faults set at that moment that name its compute system, or no system. They last
 * until cleared. Each mode breaks one step of the host's guest connection (docs/simulator.md).
 */
import { REQUEST_NAMES, type RequestName } from "./guest-wire";

export const GUEST_FAULT_MODES = [
    /** The guest never dials the host. */
    "never-dial",
    /** The guest dials after `delayMs` instead of its boot delay. */
    "dial-late",
    /** The guest closes the connection when the NegotiateProtocol request arrives, without answering. */
    "close-mid-negotiation",
    /** The guest speaks only protocol `version` (default 5), so it refuses the host's 4. */
    "unsupported-version",
    /** From request `at` (default NegotiateProtocol) on, the guest answers nothing and keeps the connection open. */
    "stop-answering",
    /** The guest answers request `at` (default ModifySettings) with the failure `hresult` (default E_FAIL). */
    "fail-request",
] as const;

export type GuestFaultMode = (typeof GUEST_FAULT_MODES)[number];

export interface GuestFault {
    readonly mode: GuestFaultMode;
    /** Only the guest of this compute system (case-insensitive); every guest when absent. */
    readonly system?: string;
    readonly delayMs?: number;
    readonly at?: RequestName;
    readonly version?: number;
    readonly hresult?: number;
}

export interface GuestFaultRequest {
    readonly mode: string;
    readonly system?: string;
    readonly delayMs?: number;
    readonly at?: string;
    readonly version?: number;
    readonly hresult?: number;
}

export class GuestFaults {
    private faults: GuestFault[] = [];

    /**
     * Adds a fault. One fault per mode and system: setting it again replaces it.
     * @throws RangeError naming the field and what it takes.
     */
    add(request: GuestFaultRequest): GuestFault {
        if (!(GUEST_FAULT_MODES as readonly string[]).includes(request.mode)) {
            throw new RangeError(`Cannot inject guest fault '${request.mode}': the modes are ${GUEST_FAULT_MODES.join(", ")}`);
        }
        const mode = request.mode as GuestFaultMode;
        if (request.at !== undefined && !(REQUEST_NAMES as readonly string[]).includes(request.at)) {
            throw new RangeError(`Cannot inject guest fault '${mode}': --at '${request.at}' is not a request the guest knows (${REQUEST_NAMES.join(", ")})`);
        }
        if (request.delayMs !== undefined && (!Number.isInteger(request.delayMs) || request.delayMs < 0)) {
            throw new RangeError(`Cannot inject guest fault '${mode}': --delay-ms must be a whole number of milliseconds, 0 or more, got ${request.delayMs}`);
        }
        if (mode === "dial-late" && request.delayMs === undefined) {
            throw new RangeError("Cannot inject guest fault 'dial-late': it needs --delay-ms, the time after start at which the guest dials");
        }
        if (request.version !== undefined && (!Number.isInteger(request.version) || request.version < 0)) {
            throw new RangeError(`Cannot inject guest fault '${mode}': --version must be a protocol version number, got ${request.version}`);
        }
        const fault: GuestFault = {
            mode,
            ...(request.system !== undefined ? { system: String(request.system).toLowerCase() } : {}),
            ...(request.delayMs !== undefined ? { delayMs: request.delayMs } : {}),
            ...(mode === "stop-answering" || mode === "fail-request"
                ? { at: (request.at as RequestName | undefined) ?? (mode === "stop-answering" ? "NegotiateProtocol" : "ModifySettings") } : {}),
            ...(mode === "unsupported-version" ? { version: request.version ?? 5 } : {}),
            ...(mode === "fail-request" ? { hresult: (request.hresult ?? 0x80004005) | 0 } : {}),
        };
        this.faults = this.faults.filter((f) => !(f.mode === fault.mode && f.system === fault.system));
        this.faults.push(fault);
        return fault;
    }

    /** The faults a guest of compute system `id` boots with. */
    forSystem(id: string): readonly GuestFault[] {
        const key = id.toLowerCase();
        return this.faults.filter((f) => f.system === undefined || f.system === key);
    }

    list(): readonly GuestFault[] {
        return [...this.faults];
    }

    clear(): number {
        const removed = this.faults.length;
        this.faults = [];
        return removed;
    }
}
