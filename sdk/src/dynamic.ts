/**
 * `pulumi-hcs/dynamic`: the module the serialized provider requires in Pulumi's dynamic-provider
 * host (serialized-provider.ts). Its exports are the provider object: the implementation package's
 * methods, found from the SDK (implementation.ts), or a stand-in that reports in one line why the
 * implementation cannot be loaded (missing-implementation.ts).
 */
import { findImplementation } from "./implementation";
import { missingImplementationProvider } from "./missing-implementation";

const implementation = findImplementation();

export = implementation.found
    ? (require(implementation.entry) as object)
    : missingImplementationProvider(implementation.problem);
