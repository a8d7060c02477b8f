// The utility-VM lifecycle: hcsshim's CreateWCOW steps with rollback, in-place updates, read, delete.
export { createUtilityVm, type CreateUtilityVmRequest } from "./create";
export { deleteUtilityVm, type DeleteUtilityVmRequest } from "./delete";
export { readUtilityVm, type ObservedUtilityVm } from "./read";
export type { UtilityVmState } from "./state";
export { UvmStepError } from "./step-error";
export { updateUtilityVm, type InPlaceSettings, type UpdateFailure, type UpdateOutcome, type UpdateUtilityVmRequest } from "./update";
