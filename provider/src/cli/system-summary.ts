import { type ComputeSystem, HcsError, type SystemProperties, type SystemPropertyType, isNotFound, isServiceUnavailable, isTimeout } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { log } from "../log/logger";
import { resourceNameOf, scratchFolderOf, vmResource } from "./vm-resource";

/**
 * What `ps` shows of a compute system. `null` means the host did not report it: a stopped VM has
 * no memory or statistics, and only a simulated host reports the document that leads to the
 * scratch folder's owner marker (and so to the Pulumi resource).
 */
export interface SystemSummary {
    readonly id: string;
    /** The Pulumi resource's name (the last part of its URN). */
    readonly name: string | null;
    /** The Pulumi resource's URN, from the owner marker of the VM's scratch folder. */
    readonly resource: string | null;
    readonly owner: string;
    readonly state: string;
    readonly runtimeId: string;
    /** `Statistics.ContainerStartTime`. */
    readonly startedAt: string | null;
    /** Seconds from `startedAt` to the host's `Statistics.Timestamp`. */
    readonly ageSeconds: number | null;
    /** Virtual processors, summed over `Memory.VirtualNodes`. */
    readonly processorCount: number | null;
    /** `Memory.VirtualMachineMemory.AssignedMemory` (4 KiB pages) in MB. */
    readonly assignedMemoryInMB: number | null;
}

/**
 * What `inspect` adds: the settings an in-place update changes, in the resource's input names, so
 * an update can be checked on the host.
 */
export interface SystemDetail extends SystemSummary {
    /**
     * `Processor.Limit` and `Processor.Weight` of the VM's current document; 0 when the document
     * leaves them out (the platform default). HCS has no property that reports them: only a
     * simulated host, which reports the document, can say.
     */
    readonly processorLimit: number | null;
    readonly processorWeight: number | null;
    /** The `CpuGroup` property; the null group (all zeros) when the VM is in none. */
    readonly cpuGroupId: string | null;
    readonly terminateOnLastHandleClosed: boolean | null;
    /** The folder holding the VM's sandbox.vhdx (and the owner marker). */
    readonly scratchFolder: string | null;
}

const PAGES_PER_MB = 256;

/**
 * Asks HCS about an open system: `Memory` and `Statistics` (refused once it stopped, then the
 * basic properties), the document where the host reports it, and that document's owner marker.
 * @throws HcsError when the system is gone, the host does not answer, or even the basic query fails.
 */
export async function summarizeSystem(host: TargetHost, system: ComputeSystem): Promise<SystemSummary> {
    return (await gather(host, system, [])).summary;
}

/**
 * {@link summarizeSystem} plus the in-place settings and the raw properties HCS answered.
 * @throws HcsError as {@link summarizeSystem}; an unanswered `CpuGroup` is "not reported".
 */
export async function inspectSystem(host: TargetHost, system: ComputeSystem): Promise<{ detail: SystemDetail; properties: SystemProperties }> {
    const { summary, properties, scratchFolder } = await gather(host, system, ["TerminateOnLastHandleClosed"]);
    // Builds before 19043 know no CpuGroup property; that is "not reported", not a failure.
    const group = await system.properties(["CpuGroup"]).then((p) => p.CpuGroup?.Id, () => undefined);
    const processor = field(field(field(properties.Simulator?.Configuration, "VirtualMachine"), "ComputeTopology"), "Processor");
    const setting = (name: string): number | null => (processor === undefined ? null : numberOr(field(processor, name), 0));
    const detail: SystemDetail = {
        ...summary,
        processorLimit: setting("Limit"),
        processorWeight: setting("Weight"),
        cpuGroupId: group ?? null,
        terminateOnLastHandleClosed: properties.TerminateOnLastHandleClosed ?? null,
        scratchFolder: scratchFolder ?? null,
    };
    const { Simulator: _documentAndMore, ...reported } = properties;
    return { detail, properties: group === undefined ? reported : { ...reported, CpuGroup: { Id: group } } };
}

async function gather(host: TargetHost, system: ComputeSystem, extra: readonly SystemPropertyType[]) {
    // Only the simulator's library knows the Simulator type; asking Windows HCS would fail the query.
    const simulated = host.hcs.hcs.simulator !== undefined;
    const always: SystemPropertyType[] = [...extra, ...(simulated ? ["Simulator" as const] : [])];
    const properties = await system.properties(["Memory", "Statistics", ...always]).catch((err: unknown) => {
        // A stopped VM refuses Memory and Statistics (HCS_E_INVALID_STATE), and a system HCS keeps no
        // such numbers for (a container on a Windows host) may refuse them otherwise: what it does
        // answer is still worth showing. A system that is gone, or a host that does not answer, is not.
        if (!(err instanceof HcsError) || isNotFound(err) || isTimeout(err) || isServiceUnavailable(err)) throw err;
        log.debug({ id: system.id, err: err.message }, "no Memory or Statistics for this system; showing its other properties");
        return system.properties(always);
    });
    const runtimeId = properties.RuntimeId ?? "";
    const scratchFolder = scratchFolderOf(properties.Simulator?.Configuration);
    const urn = scratchFolder === undefined ? undefined : (await vmResource(host.fs, scratchFolder, system.id, runtimeId)).urn;
    const pages = properties.Memory?.VirtualMachineMemory?.AssignedMemory;
    const nodes = properties.Memory?.VirtualNodes;
    const startedAt = validTime(properties.Statistics?.ContainerStartTime);
    const now = validTime(properties.Statistics?.Timestamp) ?? Date.now();
    const summary: SystemSummary = {
        id: properties.Id ?? system.id,
        name: urn === undefined ? null : resourceNameOf(urn),
        resource: urn ?? null,
        owner: properties.Owner ?? "",
        state: properties.State ?? "Unknown",
        runtimeId,
        startedAt: startedAt === undefined ? null : new Date(startedAt).toISOString(),
        ageSeconds: startedAt === undefined ? null : Math.max(0, Math.floor((now - startedAt) / 1000)),
        processorCount: nodes && nodes.length > 0 ? nodes.reduce((n, node) => n + numberOr(node.VirtualProcessorCount, 0), 0) : null,
        assignedMemoryInMB: typeof pages === "number" ? Math.floor(pages / PAGES_PER_MB) : null,
    };
    return { summary, properties, scratchFolder };
}

/** Milliseconds since the epoch, or undefined for a missing time or Go's zero time (year 1). */
function validTime(text: string | undefined): number | undefined {
    if (typeof text !== "string") return undefined;
    const ms = Date.parse(text);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function numberOr(value: unknown, fallback: number): number {
    return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function field(value: unknown, name: string): unknown {
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
}
