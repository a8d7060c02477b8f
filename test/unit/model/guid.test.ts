import { NIL_GUID, isCanonicalGuid, parseGuid, sameGuid } from "../../../provider/src/model/guid";

describe("parseGuid()", () => {
    test("keeps a canonical GUID as it is", () => {
        expect(parseGuid("7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f")).toBe("7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f");
    });

    test("lower-cases an upper-case GUID", () => {
        expect(parseGuid("7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F")).toBe("7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f");
    });

    test("drops one pair of braces", () => {
        expect(parseGuid("{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}")).toBe("7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f");
    });

    test.each([
        "",
        "7d6b2c1e3f4a4b5c9d8e0a1b2c3d4e5f",
        "{7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f",
        "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f}",
        "{{7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f}}",
        "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5g",
        " 7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f",
        "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f0",
    ])("refuses %p", (text) => {
        expect(parseGuid(text)).toBeUndefined();
    });
});

describe("sameGuid()", () => {
    test("is true for spellings of one GUID (case, braces)", () => {
        expect(sameGuid("{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}", "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f")).toBe(true);
    });

    test("is false for other GUIDs and for text that is not a GUID", () => {
        expect(sameGuid("7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f", "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e50")).toBe(false);
        expect(sameGuid("group-1", "group-1")).toBe(false);
    });
});

describe("isCanonicalGuid()", () => {
    test("accepts only lower case without braces", () => {
        expect(isCanonicalGuid(NIL_GUID)).toBe(true);
        expect(isCanonicalGuid("7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F")).toBe(false);
        expect(isCanonicalGuid("{00000000-0000-0000-0000-000000000000}")).toBe(false);
    });
});
