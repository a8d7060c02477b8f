import { failureInput, formatFailure } from "../../../provider/src/model/validation-failure";

describe("failureInput()", () => {
    test.each([
        ["layerFolders[1]", "layerFolders"],
        ["timeouts.create", "timeouts"],
        ["owner", "owner"],
    ])("maps %p to the input %p", (field, input) => {
        expect(failureInput({ field, message: "" })).toBe(input);
    });
});

describe("formatFailure()", () => {
    test("writes field: message", () => {
        expect(formatFailure({ field: "owner", message: "must be a string, got 5" })).toBe("owner: must be a string, got 5");
    });
});
