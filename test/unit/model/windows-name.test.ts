import { invalidNameCharacter, reservedDeviceName } from "../../../provider/src/model/windows-name";

describe("reservedDeviceName()", () => {
    test.each([
        ["con", "CON"], ["Con.txt", "CON"], ["nul.tar.gz", "NUL"], ["AUX", "AUX"], ["prn ", "PRN"], ["com0", "COM0"], ["lpt9.log", "LPT9"],
        ["COM\u00b2", "COM\u00b2"],
    ])("finds %p as %p in any case, with or without an extension", (name, device) => {
        expect(reservedDeviceName(name)).toBe(device);
    });

    test.each([["console"], ["con-1"], ["com10"], ["lpt"], ["xcon"], [".con"]])("lets %p through", (name) => {
        expect(reservedDeviceName(name)).toBeUndefined();
    });
});

describe("invalidNameCharacter()", () => {
    test("finds the first of < > : \" | ? *", () => {
        expect(invalidNameCharacter("a?b*")).toBe("?");
        expect(invalidNameCharacter('x"')).toBe('"');
        expect(invalidNameCharacter("plain-name_1.txt")).toBeUndefined();
    });
});
