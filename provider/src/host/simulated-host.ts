import * as os from "node:os";
import { UTC_TIME_ZONE, type TimeZoneInformation } from "../gcs/protocol";
import { HRESULTS, HcsError, hcsClient, type HcsClient } from "../hcs";
import { loadHvSockets } from "../hvsock/load-hv-sockets";
import type { HostFacts } from "../model/host-facts";
import { localPathOfServiceDirectory } from "../platform";
import { simulatorLibraryPath } from "../../sim/service/library-path";
import { logicalProcessorsOf } from "./host-facts-query";
import { MappedFileSystem } from "./mapped-filesystem";
import { probeSimulator } from "./simulator-probe";
import type { TargetHost } from "./target-host";

/** The TCP secret of a simulator listening on TCP (the native library reads it too). */
export const SIMULATOR_SECRET_ENV = "PULUMI_HCS_SIM_SECRET";

/** The simulator-only service property naming the host's ID, mapped root and build (docs/simulator.md). */
interface SimulatorProperties {
    readonly Root: string;
    /** Absent from simulators older than host IDs. */
    readonly HostId?: string;
    readonly OsBuild: number;
    /** The simulated host's time zone (absent from simulators older than the guest connection). */
    readonly TimeZone?: TimeZoneInformation;
}

/** What the service this process's simulator library talks to said about itself. */
interface LibraryHost {
    readonly address: string;
    readonly described: Promise<{
        readonly identity: string | undefined;
        readonly root: string;
        readonly facts: HostFacts;
        readonly timeZone: TimeZoneInformation;
        /** Whether the service plays Hyper-V sockets and a guest (it reports a TimeZone since then). */
        readonly guestConnection: boolean;
    }>;
}

/** The service this process's simulator library talks to, once a simulated host connected. */
let libraryHost: LibraryHost | undefined;

/** Host IDs of other addresses, asked once per process (see simulatedHostIdentity). */
const probed = new Map<string, Promise<string | undefined>>();

/**
 * A host played by the HCS simulator: HCS calls go through the simulator's computecore library
 * (the same koffi binding as on Windows), and Windows paths map under the root the service reports.
 *
 * The library talks to one service at a time, so a process talks to one simulated host. Another
 * address of that same host (its TCP port as well as its socket, or a second spelling) is that
 * host: it is recognised by the host ID the service reports, and shares the library's connection.
 * An address of another host is an error rather than a silent mix-up. The address is handed to the
 * library directly (`HcsSimSetServiceAddress`); the TCP secret, when the address is TCP, comes
 * from `PULUMI_HCS_SIM_SECRET`. A first connection that fails does not bind the process, so a
 * caller may go on to another address.
 * @throws Error when the service cannot be reached or is not a simulator, or when this process
 *   already talks to another simulated host.
 */
export async function connectSimulatedHost(name: string, address: string): Promise<TargetHost> {
    const hcs = hcsClient(simulatorLibraryPath());
    if (!hcs.hcs.simulator) throw new Error(`Cannot use simulated host '${name}': ${hcs.hcs.libraryPath} is not the simulator's library`);
    let current = libraryHost ?? bindLibrary(hcs, address);
    let described;
    try {
        described = await current.described;
    } catch (err) {
        // Another address's first connection failed meanwhile, so nothing binds the library: take it.
        if (current.address === address) throw err;
        current = libraryHost ?? bindLibrary(hcs, address);
        described = await current.described;
    }
    if (current.address !== address) {
        const identity = await simulatedHostIdentity(address);
        if (identity === undefined || identity !== described.identity) {
            throw new Error(
                `Cannot use simulated host '${name}' (host ID ${identity ?? "unknown"}): this process already talks to the simulator at ` +
                    `'${current.address}' (host ID ${described.identity ?? "unknown"}), and the simulator's library talks to one simulated host per process`,
            );
        }
    }
    return {
        name,
        identity: described.identity,
        hcs,
        fs: new MappedFileSystem(localPathOfServiceDirectory(described.root)),
        facts: () => Promise.resolve(described.facts),
        hvSockets: () => {
            // A simulator started before the guest connection existed (still running after an
            // upgrade) would refuse every bind with a bare WSAEINVAL: say what it is and the fix.
            if (!described.guestConnection) {
                throw new Error(
                    `the simulator serving '${name}' is older than this provider: it has no Hyper-V sockets for the guest connection. ` +
                        `Restart it with this version (its VMs and files stay): pulumi-hcs sim stop --root ${described.root}; pulumi-hcs sim --root ${described.root} --detach`,
                );
            }
            return loadHvSockets(simulatorLibraryPath());
        },
        timeZone: () => Promise.resolve(described.timeZone),
    };
}

/**
 * The host ID of the simulator at `address` (`simulator:<guid>`), without binding this process's
 * library to it: the connected host's own ID when that is the address, else asked over a probe
 * connection of its own (simulator-probe.ts), once per address and process. Undefined for a
 * simulator older than host IDs.
 * @throws Error when nothing answers there, or what answers is not a simulator.
 */
export async function simulatedHostIdentity(address: string): Promise<string | undefined> {
    if (libraryHost?.address === address) return (await libraryHost.described).identity;
    let identity = probed.get(address);
    if (!identity) {
        identity = probeSimulator(address, process.env[SIMULATOR_SECRET_ENV]).then((properties) => identityOf(checkedProperties(properties, address)));
        // A failure is not kept: the simulator may be up at the next attempt.
        identity.catch(() => probed.delete(address));
        probed.set(address, identity);
    }
    return identity;
}

/** Points the library at `address` and asks the service to describe itself; undone when that fails. */
function bindLibrary(hcs: HcsClient, address: string): LibraryHost {
    hcs.hcs.simulator!.setServiceAddress(address, process.env[SIMULATOR_SECRET_ENV]);
    const bound: LibraryHost = {
        address,
        described: hcs.serviceProperties(["ProcessorTopology", "Simulator"]).then(([topology, simulator]) => {
            const properties = checkedProperties(simulator, address);
            return {
                identity: identityOf(properties),
                root: properties.Root,
                // This process creates the VM (the simulator plays HCS, not the creator): its affinity counts.
                facts: { logicalProcessors: logicalProcessorsOf(topology), build: properties.OsBuild, creatorProcessors: os.availableParallelism() },
                // An older simulator says nothing of its time zone: it is then UTC's, as it always was.
                timeZone: properties.TimeZone ?? UTC_TIME_ZONE,
                guestConnection: properties.TimeZone !== undefined,
            };
        }),
    };
    bound.described.catch(() => {
        if (libraryHost === bound) libraryHost = undefined;
    });
    libraryHost = bound;
    return bound;
}

/** @throws HcsError when the service did not describe itself as a simulator. */
function checkedProperties(simulator: unknown, address: string): SimulatorProperties {
    const properties = simulator as Partial<SimulatorProperties> | undefined;
    if (!properties || typeof properties.Root !== "string" || typeof properties.OsBuild !== "number") {
        throw new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.E_UNEXPECTED, undefined,
            `the service at '${address}' did not describe itself as a simulator (no 'Simulator' property)`);
    }
    return properties as SimulatorProperties;
}

/**
 * The ID the provider records for a simulated host, namespaced so it never equals a Windows host's.
 * A simulator older than host IDs (one started before an upgrade and still running) has none: its
 * VMs are then recorded without one, and the provider treats them by address, as it used to.
 */
function identityOf(properties: SimulatorProperties): string | undefined {
    return typeof properties.HostId === "string" && properties.HostId !== "" ? `simulator:${properties.HostId}` : undefined;
}
