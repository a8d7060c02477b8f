/** examples/gitops under Pulumi's mocks: a pool of `poolSize` VMs on each of two hosts from config. */
import { type Registered, useMocks, valueOf } from "./mocks";

let registered: Registered[];
let program: typeof import("../../examples/gitops/index");

beforeAll(async () => {
    registered = useMocks("hcs-gitops", { hostA: "grpcs://host-a:7443", hostB: "grpcs://host-b:7443", poolSize: "3", processorLimit: "25000" });
    program = await import("../../examples/gitops/index");
    await valueOf(program.pool); // registration is asynchronous: wait for it
});

describe("examples/gitops", () => {
    const vms = () => registered.filter((r) => r.type === "pulumi-nodejs:dynamic/hcs:WcowUtilityVm");

    it("registers poolSize VMs per host, each on its host's agent with its own scratch folder under C:\\uvms", () => {
        expect(vms().map((v) => [v.name, v.inputs.host, (v.inputs.layerFolders as string[])[1]])).toEqual([
            ["pool-a-0", "grpcs://host-a:7443", "C:\\uvms\\gitops\\a-0"],
            ["pool-a-1", "grpcs://host-a:7443", "C:\\uvms\\gitops\\a-1"],
            ["pool-a-2", "grpcs://host-a:7443", "C:\\uvms\\gitops\\a-2"],
            ["pool-b-0", "grpcs://host-b:7443", "C:\\uvms\\gitops\\b-0"],
            ["pool-b-1", "grpcs://host-b:7443", "C:\\uvms\\gitops\\b-1"],
            ["pool-b-2", "grpcs://host-b:7443", "C:\\uvms\\gitops\\b-2"],
        ]);
        for (const vm of vms()) expect(vm.inputs).toMatchObject({ owner: "gitops-pool", processorLimit: 25000, layerFolders: ["C:\\layers\\servercore", expect.any(String)] });
    });

    it("exports one row per VM with its host", async () => {
        const pool = await valueOf(program.pool);
        expect(pool).toHaveLength(6);
        expect(pool[4]).toEqual({ name: "pool-b-1", host: "grpcs://host-b:7443", id: "pool-b-1-generated-id", state: "Running" });
    });
});
