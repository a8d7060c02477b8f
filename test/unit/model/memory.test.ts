import { normalizeMemorySize } from "../../../provider/src/model/memory";

describe("normalizeMemorySize()", () => {
    // hcsshim's TestNormalizeMemorySize table (reference §10), in numbers.
    test.each([
        [0, 0],
        [1, 2],
        [2, 2],
        [4, 4],
        [1023, 1024],
        [1024, 1024],
        [65535, 65536],
        [65536, 65536],
    ])("rounds %d up to %d", (requested, expected) => {
        expect(normalizeMemorySize(requested)).toBe(expected);
    });

    test("rounds 2^31-1 up to 2^31 where 32-bit bit operations would go negative", () => {
        expect(normalizeMemorySize(2 ** 31 - 1)).toBe(2 ** 31);
        expect(normalizeMemorySize(2 ** 32 + 1)).toBe(2 ** 32 + 2);
    });

    test("keeps the largest even safe integer and rounds MAX_SAFE_INTEGER up to exactly 2^53", () => {
        expect(normalizeMemorySize(Number.MAX_SAFE_INTEGER - 1)).toBe(Number.MAX_SAFE_INTEGER - 1);
        expect(normalizeMemorySize(Number.MAX_SAFE_INTEGER)).toBe(2 ** 53);
    });

    test("keeps 2^64-2 unchanged for bigints, as hcsshim's uint64 test does", () => {
        expect(normalizeMemorySize(2n ** 64n - 2n)).toBe(2n ** 64n - 2n);
        expect(normalizeMemorySize(2n ** 64n - 3n)).toBe(2n ** 64n - 2n);
        expect(normalizeMemorySize(1023n)).toBe(1024n);
    });

    test("refuses 2^64-1, which Go would wrap to 0", () => {
        expect(() => normalizeMemorySize(2n ** 64n - 1n)).toThrow(RangeError);
    });

    test.each([[-1], [1.5], [NaN], [Infinity], [2 ** 53], [-1n]])("refuses %p", (value) => {
        expect(() => normalizeMemorySize(value as never)).toThrow(RangeError);
    });
});
