// The document builder: resolved options → the HCS ComputeSystem document, and Go-exact JSON for it.
export type * from "./schema";
export * from "./constants";
export * from "./default-vsmb-options";
export * from "./build-document";
export * from "./marshal";
export * from "./go-json";
export * as layouts from "./schema-layout";
