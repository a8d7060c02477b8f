import { describeValue, findBadCharacter, quote } from "../../../provider/src/model/characters";

describe("findBadCharacter()", () => {
    test("finds NUL even when controls are allowed", () => {
        expect(findBadCharacter("a\u0000", { controls: false })).toEqual({ index: 1, codePoint: "U+0000", kind: "nul" });
    });

    test("finds controls only when asked", () => {
        expect(findBadCharacter("a\tb", { controls: false })).toBeUndefined();
        expect(findBadCharacter("a\tb", { controls: true })).toMatchObject({ kind: "control", codePoint: "U+0009" });
    });

    test("accepts surrogate pairs and refuses unpaired surrogates", () => {
        expect(findBadCharacter("😀", { controls: true })).toBeUndefined();
        expect(findBadCharacter("\ud83d", { controls: true })).toMatchObject({ kind: "loneSurrogate", codePoint: "U+D83D" });
        expect(findBadCharacter("x\ude00", { controls: true })).toMatchObject({ kind: "loneSurrogate", index: 1 });
    });
});

describe("quote()", () => {
    test("keeps backslashes readable and escapes controls", () => {
        expect(quote("C:\\a")).toBe('"C:\\a"');
        expect(quote("a\nb")).toBe('"a\\u000ab"');
        expect(quote('say "hi"')).toBe('"say \\"hi\\""');
    });

    test("shortens long values", () => {
        expect(quote("x".repeat(500))).toHaveLength(303);
    });
});

describe("describeValue()", () => {
    test.each([
        ["4", 'the string "4"'],
        [1.5, "1.5"],
        [NaN, "NaN"],
        [null, "null"],
        [[1], "an array of 1 item"],
        [{}, "an object"],
        [true, "a boolean"],
    ])("describes %p as %p", (value, expected) => {
        expect(describeValue(value)).toBe(expected);
    });
});
