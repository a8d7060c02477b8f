import { assertHostFacts } from "../../../provider/src/model/host-facts";

describe("assertHostFacts()", () => {
    test("accepts integer facts", () => {
        expect(() => assertHostFacts({ logicalProcessors: 1, build: 0, creatorProcessors: 1 })).not.toThrow();
    });

    test("refuses fewer than one logical processor, naming the value", () => {
        expect(() => assertHostFacts({ logicalProcessors: 0, build: 20348, creatorProcessors: 1 })).toThrow("host logicalProcessors must be an integer of at least 1: current value is 0");
    });

    test("refuses a creating process with no CPUs, naming the value", () => {
        expect(() => assertHostFacts({ logicalProcessors: 8, build: 20348, creatorProcessors: 0 })).toThrow("creatorProcessors must be an integer of at least 1: current value is 0");
    });

    test("refuses a fractional build", () => {
        expect(() => assertHostFacts({ logicalProcessors: 2, build: 1.5, creatorProcessors: 1 })).toThrow(RangeError);
    });
});
