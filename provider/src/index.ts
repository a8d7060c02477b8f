// pulumi-hcs-provider: the implementation behind the `pulumi-hcs` SDK and CLI, as a library, one
// namespace per layer (their names overlap: document.ComputeSystem is the HCS document type,
// hcs.ComputeSystem an open handle). The dynamic provider's entry point is
// `pulumi-hcs-provider/dynamic`; the command is `pulumi-hcs`.
export * as model from "./model";
export * as document from "./document";
export * as hcs from "./hcs";
export * as uvm from "./uvm";
export { connectHost, defaultHostName, DEFAULT_HOST_ENV } from "./host/connect-host";
export type { TargetHost } from "./host/target-host";
