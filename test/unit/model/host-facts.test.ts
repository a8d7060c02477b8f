import { assertHostFacts } from "../../../provider/src/model/host-facts";

describe("assertHostFacts()", () => {
    test("accepts integer facts", () => {
        expect(() => assertHostFacts({ logicalProcessors: 1, build: 0 })).not.toThrow();
    });

    test("refuses fewer than one logical processor, naming the value", () => {
        expect(() => assertHostFacts({ logicalProcessors: 0, build: 20348 })).toThrow("host logicalProcessors must be an integer of at least 1: current value is 0");
    });

    test("refuses a fractional build", () => {
        expect(() => assertHostFacts({ logicalProcessors: 2, build: 1.5 })).toThrow(RangeError);
    });
});
