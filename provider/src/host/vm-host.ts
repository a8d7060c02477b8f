import type { HostFacts } from "../model/host-facts";
import type { ResolvedOptions } from "../model/resolved-options";
import type { ValidationFailure } from "../model/validation-failure";
import type { CreateUtilityVmRequest } from "../uvm/create";
import type { DeleteUtilityVmRequest } from "../uvm/delete";
import type { ObservedUtilityVm } from "../uvm/read";
import type { GuestConnectionStatus, UtilityVmState } from "../uvm/state";
import type { UpdateOutcome, UpdateUtilityVmRequest } from "../uvm/update";

/** A request to a VmHost: the lifecycle's own, without the host it goes to. */
type Without<T> = Omit<T, "host">;

/**
 * Where the Pulumi layer's operations on utility VMs go: the host reached directly (this process
 * runs the lifecycle in `uvm/` against HCS: `local`, `sim:`), or a host agent that runs the same
 * lifecycle on its host and owns the VMs (`grpcs://`). The provider's check/create/read/update/
 * delete see only this, so both paths keep one contract.
 */
export interface VmHost {
    /** The canonical `host` value that reached it. */
    readonly name: string;
    /** The host's identity (TargetHost.identity), as the `hostId` output records it. */
    readonly identity: string | undefined;
    facts(): Promise<HostFacts>;
    /**
     * What this host refuses of inputs the model accepts, known before anything is created (a host
     * agent's path roots), so `check` reports it at preview. Absent when the host refuses nothing more.
     */
    inputProblems?(options: ResolvedOptions): Promise<ValidationFailure[]>;
    /** createUtilityVm's contract: transactional, `UvmStepError` naming the step on failure. */
    createVm(request: Without<CreateUtilityVmRequest> & { readonly requestId?: string }): Promise<UtilityVmState>;
    /**
     * refreshUtilityVm's contract: `undefined` when the VM is gone (its files released). A host that
     * holds guest connections (an agent) also says how the VM's is now.
     */
    refreshVm(recorded: DeleteUtilityVmRequest["state"]): Promise<(ObservedUtilityVm & { readonly guestConnection?: GuestConnectionStatus }) | undefined>;
    /** updateUtilityVm's contract: refused changes are in the outcome, not thrown. */
    updateVm(request: Without<UpdateUtilityVmRequest> & { readonly requestId?: string }): Promise<UpdateOutcome>;
    /** deleteUtilityVm's contract: idempotent. */
    deleteVm(request: Without<DeleteUtilityVmRequest> & { readonly requestId?: string }): Promise<void>;
}
