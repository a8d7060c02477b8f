/** The SDK's resource class: what it registers with Pulumi, and what registering costs it. */
import { execFileSync } from "node:child_process";
import Module from "node:module";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
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

describe("WcowUtilityVm: problems reported when the program declares it (issue 12, item 4)", () => {
    afterEach(() => jest.restoreAllMocks());

    it("logs each problem of its plain inputs as an error under the VM's URN, and sends them in __reportedProblems", async () => {
        const logged: { message: string; urn: Promise<string> }[] = [];
        jest.spyOn(pulumi.log, "error").mockImplementation((message, resource) => {
            logged.push({ message, urn: valueOf(resource!.urn) });
            return Promise.resolve();
        });
        const vm = new WcowUtilityVm("two-problems", { layerFolders: ["C:\\layers\\base"], owner: "", host: pulumi.output("sim:/x") });
        await valueOf(vm.runtimeId);
        expect(logged.map((l) => l.message)).toEqual([
            expect.stringMatching(/^layerFolders: at least 2 LayerFolders must be supplied/),
            expect.stringMatching(/^owner: must not be empty/),
        ]);
        for (const { urn } of logged) expect(await urn).toBe(await valueOf(vm.urn));
        expect(registered.find((r) => r.name === "two-problems")!.inputs.__reportedProblems).toEqual(logged.map((l) => l.message));
    });

    it("logs nothing and sends no __reportedProblems for good inputs, or for problems only Outputs could show", async () => {
        const error = jest.spyOn(pulumi.log, "error");
        const good = new WcowUtilityVm("good", ARGS);
        const later = new WcowUtilityVm("later", { layerFolders: pulumi.output(["C:\\layers\\base"]) });
        await Promise.all([valueOf(good.runtimeId), valueOf(later.runtimeId)]);
        expect(error).not.toHaveBeenCalled();
        for (const name of ["good", "later"]) expect(registered.find((r) => r.name === name)!.inputs).not.toHaveProperty("__reportedProblems");
    });

    it("reports a key it does not send as the unknown input check will refuse", () => {
        const messages: string[] = [];
        jest.spyOn(pulumi.log, "error").mockImplementation((message) => (messages.push(message), Promise.resolve()));
        new WcowUtilityVm("typo", { ...ARGS, procesorCount: 4 } as typeof ARGS);
        expect(messages).toEqual(['procesorCount: unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"?']);
    });

    it("checks what it sends: a customTimeouts copy and the import option", () => {
        const messages: string[] = [];
        jest.spyOn(pulumi.log, "error").mockImplementation((message) => (messages.push(message), Promise.resolve()));
        new WcowUtilityVm("sent", ARGS, { customTimeouts: { create: "soon" }, import: "CON" });
        expect(messages).toEqual([
            expect.stringMatching(/^computeSystemId: "CON" is not a usable compute system ID: it is the reserved device name CON/),
            expect.stringMatching(/^timeouts\.create: /),
        ]);
    });

    it("registers only once its reports are delivered, so its check cannot end the run before they are shown", async () => {
        let deliver!: () => void;
        const delivered = new Promise<void>((resolve) => (deliver = resolve));
        jest.spyOn(pulumi.log, "error").mockImplementation(() => delivered);
        const vm = new WcowUtilityVm("held", { ...ARGS, processorLimit: -1 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(registered.find((r) => r.name === "held")).toBeUndefined();
        deliver();
        await valueOf(vm.runtimeId);
        expect(registered.find((r) => r.name === "held")).toBeDefined();
    });
});

describe("import \"pulumi-hcs\" stays cheap (issue 12, item 4)", () => {
    it("loads neither the model nor koffi; declaring a VM loads the pure model and still no koffi or native binding", () => {
        // A fresh process with the built packages, as a program loads them.
        const script = `
            const loaded = () => Object.keys(require.cache).filter((f) => !f.includes("node_modules/@pulumi/") && !f.includes("node_modules/@grpc/"));
            const pulumi = require("@pulumi/pulumi");
            pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", true);
            const hcs = require("pulumi-hcs");
            const atImport = loaded();
            pulumi.log.error = () => Promise.resolve();
            new hcs.WcowUtilityVm("vm", { layerFolders: ["C:\\\\layers\\\\base"] });
            console.log(JSON.stringify({ atImport, atDeclare: loaded(), all: Object.keys(require.cache) }));`;
        const output = execFileSync(process.execPath, ["-e", script], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" });
        const { atImport, atDeclare, all } = JSON.parse(output.trim().split("\n").pop()!) as { atImport: string[]; atDeclare: string[]; all: string[] };
        expect(atImport.filter((f) => f.includes("/provider/"))).toEqual([]);
        expect(atDeclare.filter((f) => f.includes("/provider/")).every((f) => /\/provider\/dist\/src\/model\/[\w-]+\.js$/.test(f))).toBe(true);
        expect(atDeclare).toContainEqual(expect.stringMatching(/\/provider\/dist\/src\/model\/validate\.js$/));
        expect(all.filter((f) => /koffi|\.node$/.test(f))).toEqual([]);
    });
});
