import type { SystemState } from "../hcs";

/**
 * What the lifecycle knows about a utility VM besides its options: the outputs DESIGN §4 adds to
 * the inputs' effective values, plus what delete needs to undo exactly what create did.
 */
export interface UtilityVmState {
    readonly computeSystemId: string;
    /** The Hyper-V VM GUID HCS assigned (properties `RuntimeId`); changes when the VM is replaced. */
    readonly runtimeId: string;
    readonly state: SystemState;
    /** The layer folder holding `UtilityVM\`. */
    readonly uvmFolder: string;
    /** `<scratch folder>\sandbox.vhdx`. */
    readonly scratchPath: string;
    /** Whether create copied the template to `scratchPath` (delete removes it only then). */
    readonly scratchCreated: boolean;
    /** Folders create made for the scratch, outermost first (delete removes them only if empty). */
    readonly createdFolders: readonly string[];
    /** The exact JSON sent to HcsCreateComputeSystem. */
    readonly document: string;
    /** The VM's guest connection, as this operation leaves it (GuestConnectionStatus). */
    readonly guestConnection: GuestConnectionStatus;
    /** The guest's OS as it said when negotiating, lower-cased (`windows`); absent when it never connected. */
    readonly guestOsType?: string;
    /** The GCS protocol version negotiated (hcsshim speaks only 4); absent when the guest never connected. */
    readonly guestProtocolVersion?: number;
    /**
     * For an adopted VM: the settings HCS reports it really has (where HCS reports them), to record
     * in place of the program's values so the next preview shows any difference.
     */
    readonly observed?: ObservedSettings;
}

/**
 * Who holds the VM's guest connection (the GCS bridge hcsshim's Start opens), which is what lets
 * anything run in the VM. A connection lives only as long as the process holding its listener, and a
 * Pulumi provider process exits after each operation:
 * - `none`: pulumi-hcs never connected to this VM's guest (it did not start the VM: `start: false`,
 *   or an adopted VM that was already running);
 * - `lost`: pulumi-hcs accepted the guest's connection when it started the VM, negotiated the
 *   protocol and configured the guest's Hyper-V socket, and the connection has ended. On the direct
 *   path (`local`, `sim:`) every VM it starts ends here, with the operation: the guest does not
 *   connect again, so the VM runs but cannot run containers;
 * - `connected`: a long-lived owner holds the connection (the host agent); the direct path never
 *   reports it.
 */
export type GuestConnectionStatus = "none" | "lost" | "connected";

/** Settings of a live VM as HCS reports them; absent where HCS says nothing. */
export interface ObservedSettings {
    readonly owner?: string;
    readonly memorySizeInMB?: number;
    /** Undefined when the VM is in no CPU group (the null group). */
    readonly cpuGroupId?: string | undefined;
    readonly terminateOnLastHandleClosed?: boolean;
}
