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

    describe("hostile inputs (issue 11, item 7)", () => {
        it("throws a clear error naming the resource for null args, instead of crashing inside the constructor", () => {
            expect(() => new WcowUtilityVm("null-args", null as unknown as typeof ARGS)).toThrow(
                'WcowUtilityVm "null-args": args is required: pass an object with layerFolders',
            );
        });

        it("registers args with keys like hasOwnProperty, toString and __proto__, naming them in __unsentKeys for check to refuse", async () => {
            const args = JSON.parse(JSON.stringify(ARGS)) as Record<string, unknown>;
            for (const key of ["hasOwnProperty", "constructor", "toString", "__proto__"]) {
                Object.defineProperty(args, key, { value: { owner: "x" }, enumerable: true, writable: true, configurable: true });
            }
            const vm = new WcowUtilityVm("proto-keys", args as typeof ARGS);
            await valueOf(vm.runtimeId);
            const entry = registered.find((r) => r.name === "proto-keys")!;
            expect(entry.inputs.__unsentKeys).toEqual([["hasOwnProperty"], ["constructor"], ["toString"], ["__proto__"]]);
            expect(entry.inputs).not.toHaveProperty("owner");
            expect(vm).toBeInstanceOf(WcowUtilityVm);
        });

        it("sends timeouts without a __proto__ key, so its contents are neither dropped nor merged", async () => {
            const timeouts = JSON.parse('{"__proto__": {"create": "1s"}, "update": "5m"}') as Record<string, string>;
            const vm = new WcowUtilityVm("proto-timeouts", { ...ARGS, timeouts });
            await valueOf(vm.runtimeId);
            const entry = registered.find((r) => r.name === "proto-timeouts")!;
            expect(entry.inputs.timeouts).toEqual({ update: "5m" });
            expect(entry.inputs.__unsentKeys).toEqual([["timeouts", "__proto__"]]);
        });

        it("sends no __unsentKeys when every key is an input", async () => {
            const vm = new WcowUtilityVm("plain", ARGS);
            await valueOf(vm.runtimeId);
            expect(registered.find((r) => r.name === "plain")!.inputs).not.toHaveProperty("__unsentKeys");
        });

        it("refuses a plain string with an unpaired surrogate, naming the resource and the input", () => {
            expect(() => new WcowUtilityVm("lone", { ...ARGS, owner: "ci\ud800" })).toThrow(
                'WcowUtilityVm "lone": owner: "ci\\ud800" contains an unpaired UTF-16 surrogate U+D800 at index 2',
            );
        });
    });
});
