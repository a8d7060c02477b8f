import { compareCodePoints, encodeGoJson, goQuote, type GoStruct, type GoType } from "../../../provider/src/document/go-json";

const STRING: GoType = { kind: "string" };
const BOOL: GoType = { kind: "bool" };
const INT32: GoType = { kind: "int", name: "int32" };

const INNER: GoStruct = { kind: "struct", name: "Inner", fields: [{ json: "A", type: STRING }] };
const OUTER: GoStruct = {
    kind: "struct",
    name: "Outer",
    fields: [
        { json: "Zed", type: STRING },
        { json: "Flag", type: BOOL },
        { json: "Count", type: INT32 },
        { json: "Ptr", type: { kind: "pointer", to: INNER } },
        { json: "Map", type: { kind: "map", value: INNER } },
        { json: "List", type: { kind: "slice", element: STRING } },
        { json: "Any", type: { kind: "interface", holds: INT32 } },
        { json: "Alpha", type: STRING },
    ],
};

const encode = (value: unknown, type: GoType = OUTER): string => encodeGoJson(value, type);

describe("encodeGoJson() key order and omitempty", () => {
    test("writes keys in declared order, not assignment order", () => {
        expect(encode({ Alpha: "a", Zed: "z" })).toBe('{"Zed":"z","Alpha":"a"}');
    });

    test("drops false, 0, empty strings, absent values and empty maps and lists", () => {
        expect(encode({ Zed: "", Flag: false, Count: 0, Ptr: undefined, Map: {}, List: [], Any: null, Alpha: undefined })).toBe("{}");
    });

    test("writes a present pointer to an all-empty struct as {}", () => {
        expect(encode({ Ptr: {} })).toBe('{"Ptr":{}}');
        expect(encode({ Ptr: { A: "" } })).toBe('{"Ptr":{}}');
    });

    test("writes struct values inside maps even when empty", () => {
        expect(encode({ Map: { k: {} } })).toBe('{"Map":{"k":{}}}');
    });

    test("writes a held zero in an interface, as Go writes a non-nil interface", () => {
        expect(encode({ Any: 0 })).toBe('{"Any":0}');
    });

    test("writes true, non-zero numbers and lists", () => {
        expect(encode({ Flag: true, Count: -3, List: ["x", ""] })).toBe('{"Flag":true,"Count":-3,"List":["x",""]}');
    });

    test("writes -0 as 0", () => {
        expect(encode(-0, INT32)).toBe("0");
    });

    test("writes nil at the top level as null", () => {
        expect(encode(undefined, { kind: "pointer", to: OUTER })).toBe("null");
    });
});

describe("encodeGoJson() maps", () => {
    test("sorts map keys bytewise", () => {
        expect(encode({ Map: { b: { A: "2" }, a: { A: "1" }, B: {}, "10": {}, "9": {} } })).toBe(
            '{"Map":{"10":{},"9":{},"B":{},"a":{"A":"1"},"b":{"A":"2"}}}',
        );
    });

    test("sorts by code point (UTF-8 order), not UTF-16 units", () => {
        // U+FF21 (BMP, above the surrogates) sorts before U+1F600 in UTF-8, after it in UTF-16.
        expect(encode({ Map: { "\u{1F600}": {}, "\uFF21": {} } })).toBe('{"Map":{"\uFF21":{},"\u{1F600}":{}}}');
    });
});

describe("encodeGoJson() refusals", () => {
    test("refuses a property the Go type does not declare", () => {
        expect(() => encode({ Zed: "z", Extra: 1 })).toThrow('Cannot marshal Outer: Go type Outer has no field "Extra"');
    });

    test("ignores properties that are undefined", () => {
        expect(encode({ Extra: undefined })).toBe("{}");
    });

    test("refuses wrong value types with the path", () => {
        expect(() => encode({ Ptr: { A: 5 } })).toThrow("Cannot marshal Ptr.A: expected a string, got number");
        expect(() => encode({ Count: 1.5 })).toThrow(TypeError);
        expect(() => encode({ List: "x" })).toThrow(TypeError);
        expect(() => encode({ Flag: "true" })).toThrow(TypeError);
    });

    test("refuses integers outside their Go type", () => {
        expect(() => encode({ Count: 2 ** 31 })).toThrow(RangeError);
        expect(() => encode(-1, { kind: "int", name: "uint32" })).toThrow(RangeError);
        expect(encode(2 ** 53, { kind: "int", name: "uint64" })).toBe("9007199254740992");
        expect(() => encode(2 ** 54, { kind: "int", name: "uint64" })).toThrow(RangeError);
    });
});

describe("encodeGoJson() indentation", () => {
    test("lays out like Go's json.MarshalIndent", () => {
        expect(encodeGoJson({ Zed: "z", Ptr: {}, Map: { k: { A: "a" } }, List: ["x", "y"] }, OUTER, { indent: "  " })).toBe(
            [
                "{",
                '  "Zed": "z",',
                '  "Ptr": {},',
                '  "Map": {',
                '    "k": {',
                '      "A": "a"',
                "    }",
                "  },",
                '  "List": [',
                '    "x",',
                '    "y"',
                "  ]",
                "}",
            ].join("\n"),
        );
    });
});

describe("goQuote()", () => {
    test.each([
        ["plain", '"plain"'],
        ['a"b', '"a\\"b"'],
        ["C:\\a", '"C:\\\\a"'],
        ["<script>&", '"\\u003cscript\\u003e\\u0026"'],
        ["a\nb\rc\td", '"a\\nb\\rc\\td"'],
        ["\b\f", '"\\b\\f"'],
        ["\u0000\u0001\u001f", '"\\u0000\\u0001\\u001f"'],
        ["\u007f", '"\u007f"'],
        ["\u2028\u2029", '"\\u2028\\u2029"'],
        ["é数😀", '"é数😀"'],
        ["a\ud800b", '"a\\ufffdb"'],
        ["\udc00", '"\\ufffd"'],
    ])("quotes %p as Go does", (text, expected) => {
        expect(goQuote(text)).toBe(expected);
    });

    test("agrees with JSON.parse on what it wrote", () => {
        const text = "D:P(A;;FA;;;SY) <&> \u2028 \\ \"";
        expect(JSON.parse(goQuote(text))).toBe(text);
    });
});

describe("compareCodePoints()", () => {
    test("orders by code point", () => {
        expect(["b", "a", "\u{1F600}", "\uFF21", "A"].sort(compareCodePoints)).toEqual(["A", "a", "b", "\uFF21", "\u{1F600}"]);
        expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
        expect(compareCodePoints("a", "a")).toBe(0);
    });
});
