// The options model: WcowUtilityVm inputs → resolved options. Pure: no file system, no HCS.
export type { TimeoutsArgs, WcowUtilityVmArgs } from "./args";
export * from "./fields";
export type { ResolvedOptions, ResolvedTimeouts } from "./resolved-options";
export * from "./host-facts";
export * from "./memory";
export * from "./processors";
export * from "./guid";
export * from "./duration";
export * from "./windows-path";
export * from "./host-target";
export type { ModelWarning } from "./model-warning";
export * from "./validation-failure";
export { unknownKeyFailure, type KeyPath } from "./unknown-key";
export * from "./validate";
export * from "./resolve";
