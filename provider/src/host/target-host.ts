import type { TimeZoneInformation } from "../gcs/protocol";
import type { HcsClient } from "../hcs";
import type { GuestConnection } from "../gcs/guest-connection";
import type { HvSocketConnection, HvSockets } from "../hvsock/hv-socket";
import type { HostFacts } from "../model/host-facts";
import type { HostFileSystem } from "./filesystem";

/**
 * A Windows host the provider acts on: its HCS, the file operations CreateWCOW performs around HCS
 * (scratch folder, template copy), and the facts options resolve against. `uvm/` talks only to
 * this interface, so the same lifecycle runs against this machine and a simulated host.
 */
export interface TargetHost {
    /** The canonical `host` value (`local`, `sim:/path/to/hcs.sock`): how this host was reached. */
    readonly name: string;
    /**
     * Which host this is, whatever address reached it (`simulator:<guid>`, `windows:<computer name>`):
     * two `host` values naming one machine, such as a simulator's socket and its TCP port, give the
     * same identity, and two hosts never share one. VMs record it (output `hostId`), so the provider
     * can tell a new address of their host from a new host. Undefined when the host cannot say (a
     * simulator older than host IDs); the provider then goes by address alone.
     */
    readonly identity: string | undefined;
    readonly hcs: HcsClient;
    readonly fs: HostFileSystem;
    /**
     * Logical processors, Windows build and the creating process's CPUs; asked once per host per
     * process, then cached.
     */
    facts(): Promise<HostFacts>;
    /**
     * The host's Hyper-V sockets, where a VM's guest connects during start: ws2_32's on Windows, the
     * simulator's on a simulated host. Bound on first use.
     * @throws Error when the host has none (Winsock or the simulator library cannot be bound).
     */
    hvSockets(): HvSockets;
    /** The host's time zone, which a starting VM's guest gets unless noInheritHostTimezone. */
    timeZone(): Promise<TimeZoneInformation>;
    /**
     * The long-lived owner of the guest connections of VMs started on this host (the host agent),
     * when there is one: a start hands it the connection instead of closing it. Absent on the direct
     * path, whose process ends with the operation.
     */
    readonly guestOwner?: GuestOwner;
}

/** Takes over a started VM's guest connection and keeps it for as long as the VM runs. */
export interface GuestOwner {
    /** Called once the guest has negotiated and been configured; the owner closes both when done. */
    hold(vm: { readonly id: string; readonly runtimeId: string }, guest: GuestConnection, connection: HvSocketConnection): void;
}
