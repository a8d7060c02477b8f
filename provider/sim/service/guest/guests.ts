/**
 * The guests of the simulated host's VMs: one SimulatedGuest per running system, booted when the
 * system starts and powered off when it stops. ComputeService reports those moments (its lifecycle
 * hooks); guests live in memory, like the processes of a VM.
 */
import type { Logger } from "../../../src/log/logger";
import type { HvSocketNamespace } from "../hv-socket-namespace";
import type { GuestFaults } from "./guest-faults";
import { SimulatedGuest, type GuestView } from "./simulated-guest";

/** The default time from a VM's start to its guest dialing: short, so suites stay fast. */
export const DEFAULT_GUEST_BOOT_DELAY_MS = 20;

/** A system as the guests need it. */
export interface GuestSystem {
    readonly id: string;
    readonly runtimeId: string;
}

export class Guests {
    private readonly guests = new Map<string, SimulatedGuest>();

    constructor(private readonly options: {
        readonly namespace: HvSocketNamespace;
        readonly faults: GuestFaults;
        readonly bootDelayMs: number;
        readonly log: Logger;
    }) {}

    /** The VM started: its guest boots. */
    started(system: GuestSystem): void {
        this.guests.get(key(system))?.powerOff();
        const guest = new SimulatedGuest(this.guestOptions(system));
        this.guests.set(key(system), guest);
        guest.boot();
    }

    /** The VM stopped: its guest is off. */
    stopped(system: GuestSystem): void {
        this.guests.get(key(system))?.powerOff();
    }

    /** The system is gone. */
    removed(system: GuestSystem): void {
        this.guests.get(key(system))?.powerOff();
        this.guests.delete(key(system));
    }

    /**
     * A system that was running when the service restarted: its guest lived in the old service
     * process, so its connection is gone. GUESS: a Windows GCS does not dial again, as after any
     * other loss of its bridge.
     */
    restored(system: GuestSystem): void {
        this.guests.set(key(system), SimulatedGuest.lostAtRestart(this.guestOptions(system)));
    }

    view(id: string): GuestView | null {
        return this.guests.get(id.toLowerCase())?.view() ?? null;
    }

    /** Powers every guest off (the service is stopping). */
    stopAll(): void {
        for (const guest of this.guests.values()) guest.powerOff();
    }

    private guestOptions(system: GuestSystem) {
        return {
            systemId: system.id,
            runtimeId: system.runtimeId,
            namespace: this.options.namespace,
            bootDelayMs: this.options.bootDelayMs,
            faults: this.options.faults.forSystem(system.id),
            log: this.options.log,
        };
    }
}

function key(system: GuestSystem): string {
    return system.id.toLowerCase();
}
