/** The problems the SDK sees in a VM's inputs when the program declares it (issue 12, item 4). */
import * as pulumi from "@pulumi/pulumi";
import * as providerModel from "../../provider/src/model";
import { declaredProblems } from "../../sdk/src/declared-problems";
import { type InputModel, loadInputModel } from "../../sdk/src/input-model";

// The SDK's own description of the model must fit the model (checked by `npm run typecheck`).
const model: InputModel = providerModel;

const LAYERS = ["C:\\layers\\base", "C:\\uvms\\vm"];

describe("declaredProblems()", () => {
    it("lists every problem of the plain inputs as `field: message`, in the model's order", () => {
        expect(declaredProblems({ layerFolders: ["C:\\layers\\base"], processorLimit: -5, owner: "", host: undefined }, [], model)).toEqual([
            expect.stringMatching(/^layerFolders: at least 2 LayerFolders must be supplied \(layerFolders has 1 entry;/),
            'owner: must not be empty; omit owner for the default, "pulumi-hcs"',
            expect.stringMatching(/^processorLimit: must be an integer from 0 to 100000 .*got -5;/),
        ]);
    });

    it("names each key it did not send as check will refuse it: an unknown input, or a __proto__ key in a value", () => {
        expect(declaredProblems({ layerFolders: LAYERS }, [["procesorCount"], ["timeouts", "__proto__"]], model)).toEqual([
            'procesorCount: unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"?',
            expect.stringMatching(/^timeouts\.__proto__: unknown timeout "__proto__"; the timeouts are create, update, delete \("__proto__" cannot travel/),
        ]);
    });

    it("lists nothing for good inputs", () => {
        expect(declaredProblems({ layerFolders: LAYERS, processorCount: 4, timeouts: { create: "5m", delete: undefined } }, [], model)).toEqual([]);
    });

    it.each([
        ["an Output", pulumi.output(["C:\\layers\\base"])],
        ["a Promise", Promise.resolve(["C:\\layers\\base"])],
        ["an Output inside the list", ["C:\\layers\\base", pulumi.output("C:\\uvms\\vm")]],
    ])("leaves layerFolders as %s to check, without calling it missing", (_what, layerFolders) => {
        expect(declaredProblems({ layerFolders, owner: "" }, [], model)).toEqual(['owner: must not be empty; omit owner for the default, "pulumi-hcs"']);
    });

    it("leaves a rule between inputs to check when it reads an input that is not known yet", () => {
        const computeSystemId = pulumi.output("vm-1");
        expect(declaredProblems({ layerFolders: LAYERS, adoptExisting: true, computeSystemId }, [], model)).toEqual([]);
        expect(declaredProblems({ layerFolders: LAYERS, adoptExisting: true }, [], model)).toEqual([
            "adoptExisting: adoptExisting needs the ID of the compute system to take over; set computeSystemId, or drop adoptExisting",
        ]);
    });

    it.each([
        ["NaN", Number.NaN],
        ["an infinity", Number.POSITIVE_INFINITY],
        ["a class instance", new Date(0)],
        ["a list with a hole", [1, , 2]], // eslint-disable-line no-sparse-arrays
        ["a list with undefined", [1, undefined]],
    ])("leaves %s to check, which sees what Pulumi makes of it", (_what, value) => {
        expect(declaredProblems({ layerFolders: LAYERS, memorySizeInMB: value }, [], model)).toEqual([]);
    });

    it("survives a cycle, leaving that input to check", () => {
        const timeouts: Record<string, unknown> = { create: 5 };
        timeouts.self = timeouts;
        expect(declaredProblems({ layerFolders: LAYERS, timeouts }, [], model)).toEqual([]);
    });

    it("lists nothing when the implementation's model is not available", () => {
        expect(declaredProblems({ layerFolders: [] }, [], undefined)).toEqual([]);
    });
});

describe("loadInputModel()", () => {
    it("loads the model from pulumi-hcs-provider/model, once", () => {
        const loaded = loadInputModel();
        expect(typeof loaded?.validateKnownArgs).toBe("function");
        expect(loadInputModel()).toBe(loaded);
    });
});
