/** examples/pool under Pulumi's mocks: N VMs from config with per-VM limits, and the output table. */
import { type Registered, useMocks, valueOf } from "./mocks";

let registered: Registered[];
let program: typeof import("../../examples/pool/index");

beforeAll(async () => {
    registered = useMocks("hcs-pool", { count: "4", processorLimit: "25000" });
    program = await import("../../examples/pool/index");
    await valueOf(program.vmTable); // registration is asynchronous: wait for it
});

describe("examples/pool", () => {
    it("registers `count` VMs, each with its own scratch folder and the pool's limits", () => {
        const vms = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/hcs:WcowUtilityVm");
        expect(vms.map((v) => v.name)).toEqual(["pool-0", "pool-1", "pool-2", "pool-3"]);
        expect(vms.map((v) => (v.inputs.layerFolders as string[])[1])).toEqual([0, 1, 2, 3].map((i) => `C:\\uvms\\pool\\vm-${i}`));
        for (const vm of vms) expect(vm.inputs).toMatchObject({ owner: "ci-pool", processorLimit: 25000, processorWeight: 200 });
    });

    it("exports a table with one row per VM", async () => {
        const table = await valueOf(program.vmTable);
        expect(table).toHaveLength(4);
        expect(table[2]).toEqual({ id: "pool-2-generated-id", runtimeId: "runtime-of-pool-2", state: "Running", processorLimit: 25000 });
    });

    it("shares one serialized provider between the VMs (serialized once per program)", () => {
        const providers = new Set(registered.filter((r) => r.type.startsWith("pulumi-nodejs")).map((r) => r.inputs.__provider));
        expect(providers.size).toBe(1);
    });
});
