import { hcsClient } from "../hcs";
import type { HostFacts } from "../model/host-facts";
import { windowsBuildNumber } from "../platform";
import { logicalProcessorsOf } from "./host-facts-query";
import { LocalFileSystem } from "./local-filesystem";
import type { TargetHost } from "./target-host";

/**
 * This Windows machine: computecore.dll, node's file system with Windows paths, and the build the
 * OS reports (hcsshim's `osversion.Build()`; HCS has no property for it).
 */
export function connectLocalHost(): TargetHost {
    const hcs = hcsClient();
    let facts: Promise<HostFacts> | undefined;
    return {
        name: "local",
        hcs,
        fs: new LocalFileSystem(),
        facts: () => (facts ??= hcs.serviceProperties(["ProcessorTopology"]).then(([topology]) => ({
            logicalProcessors: logicalProcessorsOf(topology),
            build: windowsBuildNumber(),
        }))),
    };
}
