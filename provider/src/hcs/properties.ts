/**
 * The shapes HCS answers property, enumerate and service queries with (HCS schema `Properties`,
 * `ServiceProperties`, `ProcessorTopology`), limited to the fields pulumi-hcs reads.
 */
export type SystemState = "Created" | "Running" | "Paused" | "Stopped" | "SavedAsTemplate" | "Unknown";

export interface SystemProperties {
    readonly Id: string;
    readonly SystemType?: string;
    readonly RuntimeOsType?: string;
    readonly Name?: string;
    readonly Owner?: string;
    readonly RuntimeId?: string;
    readonly State?: SystemState;
    readonly Stopped?: boolean;
    readonly ExitType?: string;
    readonly Memory?: {
        readonly VirtualMachineMemory?: {
            /** In 4 KiB pages. */
            readonly AssignedMemory?: number;
            readonly AvailableMemory?: number;
        };
        /** hcsshim `schema2.VirtualNodeInfo`: each NUMA node and its virtual processors. */
        readonly VirtualNodes?: readonly { readonly VirtualProcessorCount?: number }[];
    };
    /** hcsshim `schema2.Statistics`; the times are RFC 3339 text. */
    readonly Statistics?: {
        readonly Timestamp?: string;
        readonly ContainerStartTime?: string;
        readonly Uptime100ns?: number;
        readonly [other: string]: unknown;
    };
    readonly TerminateOnLastHandleClosed?: boolean;
    readonly CpuGroup?: { readonly Id?: string };
    /** The simulator's extension (docs/simulator.md): the system's current document and more. */
    readonly Simulator?: { readonly Configuration?: unknown };
}

/**
 * The property types a system query may name (HCS `System_PropertyType`, plus `CpuGroup`), and
 * `Simulator`, which only the simulator answers (real HCS refuses an unknown type).
 */
export type SystemPropertyType = "Memory" | "Statistics" | "ProcessList" | "TerminateOnLastHandleClosed" | "GuestConnection" | "CpuGroup" | "Simulator";

/** `SystemQuery`: every key optional; lists OR within, AND across. */
export interface SystemQuery {
    readonly Ids?: readonly string[];
    readonly Names?: readonly string[];
    readonly Types?: readonly string[];
    readonly Owners?: readonly string[];
}

export interface ProcessorTopology {
    readonly LogicalProcessorCount: number;
    readonly LogicalProcessors?: readonly Record<string, unknown>[];
}
