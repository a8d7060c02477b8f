import type { HcsClient } from "../hcs";
import type { HostFacts } from "../model/host-facts";
import type { HostFileSystem } from "./filesystem";

/**
 * A Windows host the provider acts on: its HCS, the file operations CreateWCOW performs around HCS
 * (scratch folder, template copy), and the facts options resolve against. `uvm/` talks only to
 * this interface, so the same lifecycle runs against this machine and a simulated host.
 */
export interface TargetHost {
    /** The canonical `host` value (`local`, `sim:/path/to/hcs.sock`). */
    readonly name: string;
    readonly hcs: HcsClient;
    readonly fs: HostFileSystem;
    /** Logical processors and Windows build; asked once per host per process, then cached. */
    facts(): Promise<HostFacts>;
}
