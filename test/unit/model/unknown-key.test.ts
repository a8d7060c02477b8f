import { formatKeyPath, isKeyPath, unknownKeyFailure } from "../../../provider/src/model/unknown-key";

describe("formatKeyPath()", () => {
    test("writes keys with dots and indexes in brackets", () => {
        expect(formatKeyPath(["timeouts", "create"])).toBe("timeouts.create");
        expect(formatKeyPath(["layerFolders", 0, "__proto__"])).toBe("layerFolders[0].__proto__");
        expect(formatKeyPath(["hasOwnProperty"])).toBe("hasOwnProperty");
    });
});

describe("isKeyPath()", () => {
    test.each([[["a"]], [["a", "b", 0]], [["timeouts", "__proto__"]]])("accepts %p", (path) => {
        expect(isKeyPath(path)).toBe(true);
    });

    test.each([[[]], [[0]], ["a"], [["a", -1]], [["a", 1.5]], [["a", null]], [null]])("refuses %p", (path) => {
        expect(isKeyPath(path)).toBe(false);
    });
});

describe("unknownKeyFailure()", () => {
    test("names an unknown input with the closest input name", () => {
        expect(unknownKeyFailure(["procesorCount"])).toEqual({
            field: "procesorCount",
            message: 'unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"?',
        });
    });

    test("lists the inputs for hasOwnProperty, which is close to none of them", () => {
        expect(unknownKeyFailure(["hasOwnProperty"]).message).toMatch(/^unknown input "hasOwnProperty": WcowUtilityVm has no such input; the inputs are layerFolders, /);
    });

    test("names an unknown timeout with the closest timeout name", () => {
        expect(unknownKeyFailure(["timeouts", "delet"])).toEqual({
            field: "timeouts.delet",
            message: 'unknown timeout "delet"; the timeouts are create, update, delete (did you mean "delete"?)',
        });
    });

    test("says why a __proto__ key cannot be passed, wherever it is", () => {
        for (const path of [["__proto__"], ["timeouts", "__proto__"], ["layerFolders", "__proto__"]] as const) {
            expect(unknownKeyFailure(path).message).toContain('("__proto__" cannot travel through Pulumi: copying the object makes its value the prototype');
        }
    });

    test("names any other key by its path and its parent", () => {
        expect(unknownKeyFailure(["layerFolders", 1, "x"])).toEqual({
            field: "layerFolders[1].x",
            message: 'unknown key "x": layerFolders[1] takes no such key; remove it',
        });
    });
});
