/** The SDK's screening of a WcowUtilityVm's args: what Pulumi could not carry to the provider. */
import * as pulumi from "@pulumi/pulumi";
import { screenArgs } from "../../sdk/src/screen-args";

const INPUTS = new Set(["layerFolders", "owner", "timeouts", "computeSystemId"]);
const LABEL = 'WcowUtilityVm "vm"';
const LAYERS = ["C:\\layers\\base", "C:\\uvms\\vm"];

describe("screenArgs()", () => {
    test.each([[null], [undefined]])("refuses %p args, naming the resource and what to pass", (args) => {
        expect(() => screenArgs(LABEL, args, INPUTS)).toThrow(
            new TypeError(`WcowUtilityVm "vm": args is required: pass an object with layerFolders, like { layerFolders: ["C:\\\\layers\\\\base", "C:\\\\uvms\\\\vm1"] }; got ${String(args)}`),
        );
    });

    test.each([
        ["a string", "layerFolders", 'the string "layerFolders"'],
        ["an array", [LAYERS], "an array"],
        ["a number", 7, "number 7"],
        ["an Output", pulumi.output({ layerFolders: LAYERS }), "(an Output or Promise of args is not supported; pass each input as an Output instead)"],
    ])("refuses %s as args", (_what, args, got) => {
        expect(() => screenArgs(LABEL, args, INPUTS)).toThrow(expect.objectContaining({ message: expect.stringContaining(`args must be an object with layerFolders`) }));
        expect(() => screenArgs(LABEL, args, INPUTS)).toThrow(got);
    });

    test("passes inputs through and names every other top-level key instead of sending it", () => {
        const args = JSON.parse('{"layerFolders": ["C:\\\\a", "C:\\\\b"], "hasOwnProperty": 1, "constructor": 2, "toString": "x", "__proto__": {"owner": "o"}, "procesorCount": 4}') as object;
        const screened = screenArgs(LABEL, args, INPUTS);
        expect(Object.keys(screened.inputs)).toEqual(["layerFolders"]);
        expect(screened.unsentKeys).toEqual([["hasOwnProperty"], ["constructor"], ["toString"], ["__proto__"], ["procesorCount"]]);
    });

    test("takes __proto__ keys out of nested objects, so Pulumi can neither drop nor merge them", () => {
        const args = JSON.parse('{"layerFolders": {"__proto__": ["C:\\\\a", "C:\\\\b"]}, "timeouts": {"__proto__": {"create": "1s"}, "update": "5m"}}') as object;
        const screened = screenArgs(LABEL, args, INPUTS);
        expect(screened.unsentKeys).toEqual([["layerFolders", "__proto__"], ["timeouts", "__proto__"]]);
        expect(screened.inputs.timeouts).toEqual({ update: "5m" });
        expect(Object.getPrototypeOf(screened.inputs.timeouts)).toBe(Object.prototype);
        expect(screened.inputs.layerFolders).toEqual({});
        expect(Array.isArray(screened.inputs.layerFolders)).toBe(false);
    });

    test("refuses every plain string with an unpaired surrogate, naming the field and the index", () => {
        const args = { layerFolders: ["C:\\layers\\base", "C:\\uvms\\\ud800x"], owner: "a\udc00", timeouts: { create: "5m\ud83d" } };
        let error: unknown;
        try {
            screenArgs(LABEL, args, INPUTS);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(TypeError);
        const message = (error as Error).message;
        expect(message).toMatch(/^WcowUtilityVm "vm": layerFolders\[1\]: "C:\\uvms\\\\ud800x" contains an unpaired UTF-16 surrogate U\+D800 at index 8, which Pulumi cannot send/);
        expect(message).toContain('; owner: "a\\udc00" contains an unpaired UTF-16 surrogate U+DC00 at index 1');
        expect(message).toContain('; timeouts.create: "5m\\ud83d" contains an unpaired UTF-16 surrogate U+D83D at index 2');
        expect(message).toContain("fix the string's encoding");
        expect(Buffer.from(message, "utf8").toString("utf8")).toBe(message); // the message itself can be sent
    });

    test("refuses an unpaired surrogate in a key, which could not be named either", () => {
        expect(() => screenArgs(LABEL, { layerFolders: LAYERS, "x\ud800": 1 }, INPUTS)).toThrow('x\ud800: the key "x\\ud800" contains an unpaired UTF-16 surrogate');
    });

    test("accepts paired surrogates (emoji) and leaves Outputs and Promises alone", () => {
        const output = pulumi.output("a\ud800");
        const promise = Promise.resolve("b\udc00");
        const screened = screenArgs(LABEL, { layerFolders: [output, "C:\\uvms\\\ud83d\ude00"], owner: promise }, INPUTS);
        expect(screened.unsentKeys).toEqual([]);
        expect((screened.inputs.layerFolders as unknown[])[0]).toBe(output);
        expect(screened.inputs.owner).toBe(promise);
    });

    test("survives a cycle in a value, leaving it to Pulumi", () => {
        const timeouts: Record<string, unknown> = { create: "5m" };
        timeouts.self = timeouts;
        expect(() => screenArgs(LABEL, { layerFolders: LAYERS, timeouts }, INPUTS)).not.toThrow();
    });
});
