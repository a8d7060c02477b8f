import type { GuestConnection } from "../gcs/guest-connection";
import type { ComputeSystem } from "../hcs";
import type { HvSocketConnection } from "../hvsock/hv-socket";
import type { GuestOwner, TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import type { GuestConnectionStatus } from "../uvm/state";
import type { EventFeed } from "./event-feed";

interface Held {
    readonly runtimeId: string;
    readonly guest: GuestConnection;
    readonly connection: HvSocketConnection;
    /** The agent's own handle on the system, opened once the guest is held. */
    system?: ComputeSystem;
    ended: boolean;
}

/**
 * The VMs whose guest connection and HCS handle the agent holds (the TargetHost's `guestOwner`).
 * A held connection ends when its VM stops (the guest goes with it) or when the agent releases it
 * (delete, shutdown); the first is reported as the VM's EXITED event.
 */
export class HeldVms implements GuestOwner {
    private readonly held = new Map<string, Held>();
    private released = new Set<string>();

    constructor(private readonly host: () => TargetHost, private readonly events: EventFeed) {}

    hold(vm: { readonly id: string; readonly runtimeId: string }, guest: GuestConnection, connection: HvSocketConnection): void {
        const id = vm.id.toLowerCase();
        this.release(vm.id);
        this.released.delete(id);
        const entry: Held = { runtimeId: vm.runtimeId, guest, connection, ended: false };
        this.held.set(id, entry);
        this.events.emit("GUEST_CONNECTED", vm);
        void this.host().hcs.openComputeSystem(vm.id).then(
            (system) => {
                if (this.held.get(id) === entry && !entry.ended) entry.system = system;
                else void system.close().catch(() => undefined);
            },
            (err: unknown) => log.warn({ id: vm.id, err: (err as Error).message }, "could not open a handle on the VM whose guest the agent holds"),
        );
        void guest.ended().then((cause) => this.ended(vm, entry, cause));
    }

    /** Whether the agent holds the VM's guest connection now, held it once (`lost`), or never did. */
    status(id: string): GuestConnectionStatus | undefined {
        const entry = this.held.get(id.toLowerCase());
        if (entry === undefined) return undefined;
        return entry.ended ? "lost" : "connected";
    }

    /** The IDs whose guest connections the agent holds now. */
    connectedIds(): string[] {
        return [...this.held].filter(([, entry]) => !entry.ended).map(([id]) => id);
    }

    /** Ends the agent's hold on a VM (it is being deleted): closes its connection and handle quietly. */
    release(id: string): void {
        const key = id.toLowerCase();
        const entry = this.held.get(key);
        if (entry === undefined) return;
        this.released.add(key);
        this.held.delete(key);
        entry.ended = true;
        closeAll(entry);
    }

    /** Closes everything (the agent is stopping): the VMs keep running, their guests lose the agent. */
    closeAll(): void {
        for (const id of [...this.held.keys()]) this.release(id);
    }

    private async ended(vm: { readonly id: string; readonly runtimeId: string }, entry: Held, cause: Error | undefined): Promise<void> {
        if (entry.ended || this.released.has(vm.id.toLowerCase())) return;
        entry.ended = true;
        let how = cause?.message ?? "the guest closed its connection";
        try {
            const system = entry.system ?? (await this.host().hcs.openComputeSystem(vm.id));
            const properties = await system.properties([]);
            if (entry.system === undefined) await system.close();
            how = properties.State === "Stopped" || properties.Stopped === true
                ? `the utility VM stopped${properties.ExitType ? ` (ExitType ${properties.ExitType})` : ""}`
                : `${how}; the VM is ${properties.State ?? "in an unknown state"} without its guest connection`;
        } catch {
            how = "the utility VM exited (it no longer exists)";
        }
        log.warn({ id: vm.id, runtimeId: vm.runtimeId }, `guest connection ended: ${how}`);
        this.events.emit("EXITED", vm, { message: how });
        closeAll(entry);
    }
}

function closeAll(entry: Held): void {
    entry.guest.close();
    entry.connection.close();
    if (entry.system !== undefined) void entry.system.close().catch(() => undefined);
}
