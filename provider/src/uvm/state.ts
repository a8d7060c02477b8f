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
    /**
     * For an adopted VM: the settings HCS reports it really has (where HCS reports them), to record
     * in place of the program's values so the next preview shows any difference.
     */
    readonly observed?: ObservedSettings;
}

/** Settings of a live VM as HCS reports them; absent where HCS says nothing. */
export interface ObservedSettings {
    readonly owner?: string;
    readonly memorySizeInMB?: number;
    /** Undefined when the VM is in no CPU group (the null group). */
    readonly cpuGroupId?: string | undefined;
    readonly terminateOnLastHandleClosed?: boolean;
}
