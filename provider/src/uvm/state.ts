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
}
