/** examples/basic under Pulumi's mocks: one WcowUtilityVm from config, and a small __provider. */
import { type Registered, useMocks, valueOf } from "./mocks";

let registered: Registered[];
let program: typeof import("../../examples/basic/index");

beforeAll(async () => {
    registered = useMocks("hcs-basic", { processorCount: "4", memorySizeInMB: "4096", layerFolders: '["C:\\\\layers\\\\base","C:\\\\uvms\\\\ci"]' });
    program = await import("../../examples/basic/index");
    await valueOf(program.runtimeId); // registration is asynchronous: wait for it
});

describe("examples/basic", () => {
    it("registers one WcowUtilityVm with the dynamic type token and the config's values", () => {
        const vms = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/hcs:WcowUtilityVm");
        expect(vms.map((v) => v.name)).toEqual(["build-uvm"]);
        expect(vms[0]!.inputs).toMatchObject({ processorCount: 4, memorySizeInMB: 4096, layerFolders: ["C:\\layers\\base", "C:\\uvms\\ci"] });
    });

    it("exports the VM's runtime ID and state", async () => {
        expect(await valueOf(program.runtimeId)).toBe("runtime-of-build-uvm");
        expect(await valueOf(program.state)).toBe("Running");
    });

    it("serializes a provider of under 2 KB that only requires the implementation by name", () => {
        const serialized = registered[0]!.inputs.__provider as string;
        expect(Buffer.byteLength(serialized)).toBeLessThan(2048);
        expect(serialized).toContain('require("pulumi-hcs/dynamic")');
        expect(serialized).not.toContain("koffi");
        process.stdout.write(`__provider: ${Buffer.byteLength(serialized)} bytes\n`);
    });
});
