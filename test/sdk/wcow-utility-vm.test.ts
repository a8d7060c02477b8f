/** The SDK's resource class: what it registers with Pulumi, and what registering costs it. */
import Module from "node:module";
import { WcowUtilityVm } from "../../sdk/src/wcow-utility-vm";
import { type Registered, useMocks, valueOf } from "../examples/mocks";

const ARGS = { layerFolders: ["C:\\layers\\base", "C:\\uvms\\a"] };

let registered: Registered[];

beforeAll(() => {
    registered = useMocks("sdk-test");
});

/** Loads a `__provider` the way Pulumi's Node dynamic-provider host does (require-from-string). */
function loadSerializedProvider(text: string): Record<string, unknown> {
    const module = new Module("", undefined);
    module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
    (module as unknown as { _compile(code: string, file: string): void })._compile(text, "");
    return (module.exports as { handler(): Record<string, unknown> }).handler();
}

describe("WcowUtilityVm", () => {
    it("registers as a dynamic resource whose one-line __provider loads the implementation package", async () => {
        const vm = new WcowUtilityVm("a", ARGS);
        await valueOf(vm.runtimeId);
        const entry = registered.find((r) => r.name === "a")!;
        expect(entry.type).toBe("pulumi-nodejs:dynamic/hcs:WcowUtilityVm");
        const text = entry.inputs.__provider as string;
        expect(Buffer.byteLength(text)).toBeLessThan(100);
        const provider = loadSerializedProvider(text);
        for (const method of ["check", "diff", "create", "read", "update", "delete"]) expect(typeof provider[method]).toBe("function");
    });

    it("leaves Error.stackTraceLimit as it found it", () => {
        const before = Error.stackTraceLimit;
        new WcowUtilityVm("b", ARGS);
        expect(Error.stackTraceLimit).toBe(before);
        expect(() => new WcowUtilityVm("", ARGS)).toThrow();
        expect(Error.stackTraceLimit).toBe(before);
    });

    it("an error thrown while registering still shows where the VM was declared", () => {
        let error: Error | undefined;
        try {
            new WcowUtilityVm("", ARGS); // Pulumi refuses an empty name while registering
        } catch (err) {
            error = err as Error;
        }
        expect(error?.message).toMatch(/name/);
        expect(error?.stack).toContain("wcow-utility-vm.test.ts");
    });
});
