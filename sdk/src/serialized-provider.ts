/**
 * What makes a WcowUtilityVm a dynamic resource: its type token, which routes it to the Node.js
 * dynamic-provider host (the `pulumi-nodejs` plugin), and the `__provider` property that host reads.
 *
 * The host compiles `__provider` as a CommonJS module (require-from-string) and calls its
 * `handler()` to get the provider object, once per process per distinct text (pulumi
 * `cmd/dynamic-provider`, getProvider). `pulumi.dynamic.Resource` would produce that module with
 * Pulumi's closure serializer: six wrapper functions around six one-line forwarders, 1.7 KB, kept
 * twice per resource in state (the host copies it into the outputs too), after a V8 inspector
 * session and a TypeScript parse in the program process. The module below is the same forwarding
 * written once: `pulumi-hcs/dynamic` (dynamic.ts) exports the implementation package's provider
 * methods (check, diff, create, read, update, delete), resolved by name at run time, so the
 * implementation is whatever version is installed and nothing native or secret is captured
 * (DESIGN §3.7).
 *
 * The host resolves the text's `require` from the project's folder, where the program's own
 * dependency, this SDK, always is; the implementation is the SDK's dependency, which npm may nest
 * rather than hoist, so the SDK resolves it from its own folder, and says in one line which package
 * to install when it is missing. States written by older SDKs hold
 * `require("pulumi-hcs-provider/dynamic")`: refresh and destroy of those load the implementation
 * from the project's folder, so keep `pulumi-hcs-provider` a direct dependency of the program.
 */

/** The property the dynamic-provider host keeps the provider module in. */
export const PROVIDER_KEY = "__provider";

/** The property the resource's URN travels in (the provider's `RESOURCE_KEY`). */
export const RESOURCE_KEY = "__resource";

/** The property naming the keys the SDK did not send (the provider's `UNSENT_KEYS_KEY`; screen-args.ts). */
export const UNSENT_KEYS_KEY = "__unsentKeys";

/** The property the `replaceOnChanges` option travels in (the provider's `REPLACE_ON_CHANGES_KEY`). */
export const REPLACE_ON_CHANGES_KEY = "__replaceOnChanges";

/** `pulumi-nodejs:dynamic/<module>:<type>`, as `pulumi.dynamic.Resource` names it. */
export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/hcs:WcowUtilityVm";

/** The provider module: 54 bytes instead of the closure serializer's 1.7 KB. */
export const SERIALIZED_PROVIDER = 'exports.handler = () => require("pulumi-hcs/dynamic");';
