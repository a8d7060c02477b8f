// A diagnostic floor (`npm run bench -- --shape-floor`): pulumi-hcs with its provider replaced by
// one that does nothing. Resources are registered exactly as the SDK registers a WcowUtilityVm (its
// properties, its `__resource` URN, no stack frames while registering, a one-line `__provider`
// that requires the provider module), and the provider (./provider.ts) returns pulumi-hcs's inputs
// and outputs at once. What this costs over the floor is the price of pulumi-hcs's schema in
// Pulumi's own machinery (engine, state, the Node dynamic-provider host's gRPC and protobuf); what
// pulumi-hcs costs over this is its own work: HCS calls, host files, the simulator.
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// OUTPUTS is not part of the SDK's public exports: read it from the installed SDK's compiled file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OUTPUTS } = require(path.join(path.dirname(require.resolve("pulumi-hcs/package.json")), "dist", "wcow-utility-vm")) as typeof import("pulumi-hcs/dist/wcow-utility-vm");
import { benchVmInputs } from "../shared/vm-inputs";

const PROVIDER = `exports.handler = () => require(${JSON.stringify(path.join(__dirname, "provider.js"))});`;

const TYPE = "pulumi-nodejs:dynamic/bench:ShapedNoop";

class ShapedNoopResource extends pulumi.CustomResource {
    constructor(name: string, args: pulumi.Inputs) {
        const props: Record<string, unknown> = Object.fromEntries(OUTPUTS.map((key) => [key, undefined]));
        Object.assign(props, args, { __provider: PROVIDER, __resource: pulumi.createUrn(name, TYPE) });
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            super(TYPE, name, props);
        } finally {
            Error.stackTraceLimit = stackTraceLimit;
        }
    }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new ShapedNoopResource(`vm-${i}`, benchVmInputs(i));
