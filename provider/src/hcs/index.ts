// The shared HCS binding: koffi over computecore.dll (or the simulator's library off Windows).
export { bindComputeCore, type ComputeCore, type Handle } from "./computecore";
export { ComputeSystem, HcsClient, hcsClient, type CallOptions } from "./compute-system";
export {
    HcsError, isAccessDenied, isAlreadyExists, isAlreadyStopped, isInvalidState, isNotFound, isServiceUnavailable, isTimeout,
} from "./hcs-error";
export { HRESULTS, failed, formatHresult, hresultName, toHresult, type HresultName } from "./hresult";
export type { ProcessorTopology, SystemProperties, SystemPropertyType, SystemQuery, SystemState } from "./properties";
export { type HcsErrorEvent } from "./result-document";
export { TIMEOUT_NAMES, defaultTimeoutMs, timeoutEnvVar, type TimeoutName } from "./timeouts";
