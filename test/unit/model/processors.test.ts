import { defaultProcessorCount, normalizeProcessorCount } from "../../../provider/src/model/processors";

describe("normalizeProcessorCount()", () => {
    // hcsshim's TestNormalizeProcessorCount table (reference §10): (requested, host) → result.
    test.each([
        [0, 8, 0],
        [4, 8, 4],
        [8, 8, 8],
        [16, 8, 8],
        [1, 1, 1],
        [2, 1, 1],
        [256, 128, 128],
        [-1, 8, -1],
    ])("turns %d requested on a %d-processor host into %d", (requested, host, expected) => {
        expect(normalizeProcessorCount(requested, host)).toBe(expected);
    });

    test("refuses fractional counts", () => {
        expect(() => normalizeProcessorCount(1.5, 8)).toThrow(TypeError);
        expect(() => normalizeProcessorCount(2, NaN)).toThrow(TypeError);
    });
});

describe("defaultProcessorCount()", () => {
    test("is 1 when the creating process may use one CPU", () => {
        expect(defaultProcessorCount(1)).toBe(1);
    });

    test.each([2, 4, 64])("is 2 when the creating process may use %d CPUs", (creator) => {
        expect(defaultProcessorCount(creator)).toBe(2);
    });
});
