import { HRESULTS, HcsError, hcsClient } from "../hcs";
import type { HostFacts } from "../model/host-facts";
import { localPathOfServiceDirectory } from "../platform";
import { simulatorLibraryPath } from "../../sim/service/library-path";
import { logicalProcessorsOf } from "./host-facts-query";
import { MappedFileSystem } from "./mapped-filesystem";
import type { TargetHost } from "./target-host";

/** The TCP secret of a simulator listening on TCP (the native library reads it too). */
export const SIMULATOR_SECRET_ENV = "PULUMI_HCS_SIM_SECRET";

/** The simulator-only service property naming the host's mapped root and build (docs/simulator.md). */
interface SimulatorProperties {
    readonly Root: string;
    readonly OsBuild: number;
}

/** The service this process's simulator library talks to, once a simulated host connected. */
let connectedAddress: string | undefined;

/**
 * A host played by the HCS simulator: HCS calls go through the simulator's computecore library
 * (the same koffi binding as on Windows), and Windows paths map under the root the service reports.
 *
 * The library talks to one service at a time, so a process talks to one simulated host; asking for
 * a second one is an error rather than a silent mix-up. The address is handed to the library
 * directly (`HcsSimSetServiceAddress`); the TCP secret, when the address is TCP, comes from
 * `PULUMI_HCS_SIM_SECRET`.
 */
export async function connectSimulatedHost(name: string, address: string): Promise<TargetHost> {
    if (connectedAddress !== undefined && connectedAddress !== address) {
        throw new Error(`Cannot use simulated host '${name}': this process already talks to the simulator at '${connectedAddress}'; one simulated host per process`);
    }
    const hcs = hcsClient(simulatorLibraryPath());
    if (!hcs.hcs.simulator) throw new Error(`Cannot use simulated host '${name}': ${hcs.hcs.libraryPath} is not the simulator's library`);
    hcs.hcs.simulator.setServiceAddress(address, process.env[SIMULATOR_SECRET_ENV]);
    connectedAddress = address;
    const [topology, simulator] = (await hcs.serviceProperties(["ProcessorTopology", "Simulator"])) as [unknown, SimulatorProperties | undefined];
    if (!simulator || typeof simulator.Root !== "string" || typeof simulator.OsBuild !== "number") {
        throw new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.E_UNEXPECTED, undefined,
            `the service at '${address}' did not describe itself as a simulator (no 'Simulator' property)`);
    }
    const facts: HostFacts = { logicalProcessors: logicalProcessorsOf(topology), build: simulator.OsBuild };
    return {
        name,
        hcs,
        fs: new MappedFileSystem(localPathOfServiceDirectory(simulator.Root)),
        facts: () => Promise.resolve(facts),
    };
}
