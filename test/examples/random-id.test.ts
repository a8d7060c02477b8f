/** examples/random-id under Pulumi's mocks: the VM's computeSystemId is a RandomUuid's result. */
import { type Registered, useMocks, valueOf } from "./mocks";

let registered: Registered[];
let program: typeof import("../../examples/random-id/index");

beforeAll(async () => {
    registered = useMocks("hcs-random-id");
    program = await import("../../examples/random-id/index");
    await valueOf(program.runtimeId); // registration is asynchronous: wait for it
});

describe("examples/random-id", () => {
    it("registers a RandomUuid and a VM whose computeSystemId is its result", async () => {
        expect(registered.map((r) => r.type)).toEqual(["random:index/randomUuid:RandomUuid", "pulumi-nodejs:dynamic/hcs:WcowUtilityVm"]);
        expect(registered[0]!.inputs).toEqual({ keepers: { generation: "1" } });
        expect(await valueOf(program.computeSystemId)).toBe("3b241101-e2bb-4255-8caf-4136c566a962");
    });
});
