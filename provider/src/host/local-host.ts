import * as os from "node:os";
import { hcsClient } from "../hcs";
import { loadHvSockets } from "../hvsock/load-hv-sockets";
import type { HostFacts } from "../model/host-facts";
import { windowsBuildNumber } from "../platform";
import { logicalProcessorsOf } from "./host-facts-query";
import { LocalFileSystem } from "./local-filesystem";
import type { TargetHost } from "./target-host";
import { windowsTimeZone } from "./windows-time-zone";

/**
 * This Windows machine: computecore.dll, node's file system with Windows paths, and the build the
 * OS reports (hcsshim's `osversion.Build()`; HCS has no property for it).
 */
export function connectLocalHost(): TargetHost {
    const hcs = hcsClient();
    let facts: Promise<HostFacts> | undefined;
    return {
        name: "local",
        identity: localHostIdentity(),
        hcs,
        fs: new LocalFileSystem(),
        facts: () => (facts ??= hcs.serviceProperties(["ProcessorTopology"]).then(([topology]) => ({
            logicalProcessors: logicalProcessorsOf(topology),
            build: windowsBuildNumber(),
            // This process creates the VM; libuv counts its affinity mask, as Go's runtime.NumCPU does.
            creatorProcessors: os.availableParallelism(),
        }))),
        hvSockets: () => loadHvSockets(),
        timeZone: () => Promise.resolve().then(windowsTimeZone),
    };
}

/**
 * This machine's host ID: `windows:` and its computer name, lower-cased (Windows compares the names
 * case-insensitively).
 *
 * GUESS: HCS has no property naming the host it runs on, so this is the provider's own choice. The
 * computer name is unique among machines on one network, which is what telling two hosts apart
 * needs, and Node reads it without help. Windows' MachineGuid (HKLM\SOFTWARE\Microsoft\Cryptography)
 * would survive a rename, but Node reads the registry only through reg.exe, a child process at every
 * provider start, and images cloned without sysprep share it. Renaming the machine changes the ID:
 * the provider then refuses to read or delete the VMs recorded with the old one (docs/architecture.md,
 * Hosts, says how to recover).
 */
export function localHostIdentity(): string {
    return `windows:${os.hostname().toLowerCase()}`;
}
