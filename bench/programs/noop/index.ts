// The bench's floor: what the Pulumi engine, the language host and the Node dynamic-provider host
// cost by themselves. `count` dynamic resources with the same inputs as the pulumi-hcs program,
// whose provider answers every call at once: check passes the inputs through, diff sees no change,
// create and update echo the inputs as outputs, read echoes the state, delete does nothing.
import * as pulumi from "@pulumi/pulumi";
import { benchVmInputs } from "../shared/vm-inputs";

const noop: pulumi.dynamic.ResourceProvider = {
    check: async (_olds, news) => ({ inputs: news }),
    diff: async () => ({ changes: false }),
    create: async (inputs) => ({ id: require("node:crypto").randomUUID(), outs: inputs }),
    read: async (id, props) => ({ id, props }),
    update: async (_id, _olds, news) => ({ outs: news }),
    delete: async () => undefined,
};

class NoopResource extends pulumi.dynamic.Resource {
    constructor(name: string, args: pulumi.Inputs) {
        super(noop, name, args, undefined, "bench", "Noop");
    }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new NoopResource(`vm-${i}`, benchVmInputs(i));
