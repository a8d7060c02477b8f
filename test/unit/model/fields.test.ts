import * as fs from "node:fs";
import * as path from "node:path";
import { FIELDS, FIELD_NAMES, fieldByName, type ChangeKind, type FieldSpec } from "../../../provider/src/model/fields";

// The design's §4 is the resource contract; the table must say the same (a copy lives in fixtures/).
const DESIGN = path.resolve(__dirname, "fixtures", "resource-contract.md");

interface DesignRow {
    readonly names: string[];
    readonly type: string;
    readonly default: string;
    readonly change: string;
}

function designRows(): DesignRow[] {
    if (!fs.existsSync(DESIGN)) throw new Error(`DESIGN.md not found at ${DESIGN}; it belongs in the repository`);
    const text = fs.readFileSync(DESIGN, "utf8");
    const section = text.slice(text.indexOf("## 4. The resource contract"), text.indexOf("## 5."));
    return section
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => {
            const cells = line.split("|").slice(1, -1).map((c) => c.trim());
            return {
                names: [...(cells[0] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
                type: cells[1] ?? "",
                default: (cells[2] ?? "").replace(/`/g, ""),
                change: (cells[3] ?? "").replace(/`/g, ""),
            };
        });
}

const CHANGE_WORDING: Record<string, ChangeKind> = {
    replace: "replace",
    "replace (delete before replace when set)": "computeSystemId",
    "in place when allowOvercommit, else replace": "memory",
    "in place": "inPlace",
    "in place (provider-side)": "providerSide",
    "false→true in place (start); true→false replace": "start",
};

describe("FIELDS", () => {
    const rows = designRows();
    const designNames = rows.flatMap((r) => r.names);

    test("lists DESIGN §4's inputs in DESIGN's order, then our own adoptExisting and timeouts", () => {
        expect(designNames.length).toBeGreaterThan(20);
        expect(FIELD_NAMES).toEqual([...designNames, "adoptExisting", "timeouts"]);
    });

    test("gives every input DESIGN §4's change kind", () => {
        for (const row of rows) {
            const expected = CHANGE_WORDING[row.change];
            expect({ row: row.names, change: expected }).toEqual({ row: row.names, change: expect.any(String) });
            for (const name of row.names) expect({ name, change: fieldByName(name)?.change }).toEqual({ name, change: expected });
        }
        expect(fieldByName("timeouts")?.change).toBe("providerSide");
        expect(fieldByName("adoptExisting")?.change).toBe("createOnly");
    });

    test("gives fixed defaults that match DESIGN §4", () => {
        for (const row of rows) {
            for (const name of row.names) {
                const field = fieldByName(name)!;
                if (field.default.kind === "value") expect({ name, default: row.default }).toEqual({ name, default: expect.stringMatching(new RegExp(`^${String(field.default.value)}\\b`)) });
                if (field.default.kind === "none") expect({ name, default: row.default }).toEqual({ name, default: expect.stringMatching(/^(none|required)$/) });
            }
        }
    });

    test("makes only layerFolders required", () => {
        expect(FIELDS.filter((f) => f.required).map((f) => f.name)).toEqual(["layerFolders"]);
        expect(rows.filter((r) => r.default === "required").flatMap((r) => r.names)).toEqual(["layerFolders"]);
    });

    test("uses DESIGN §4's integer ranges where it gives them", () => {
        for (const row of rows) {
            const range = /integer (\d+)\.\.(\d+)/.exec(row.type);
            if (range === null) continue;
            for (const name of row.names) {
                expect(fieldByName(name)?.type).toMatchObject({ kind: "integer", min: Number(range[1]), max: Number(range[2]) });
            }
        }
    });

    test("types every DESIGN integer as an integer and every bool as a boolean", () => {
        for (const row of rows) {
            for (const name of row.names) {
                const kind = fieldByName(name)!.type.kind;
                if (row.type.startsWith("integer")) expect({ name, kind }).toEqual({ name, kind: "integer" });
                if (row.type === "bool") expect({ name, kind }).toEqual({ name, kind: "boolean" });
            }
        }
    });

    test("keeps int32 inputs within int32 and uint64 inputs within safe integers", () => {
        for (const field of FIELDS as readonly FieldSpec[]) {
            if (field.type.kind !== "integer") continue;
            const limit = field.type.goType === "int32" ? 2_147_483_647 : field.type.goType === "uint32" ? 4_294_967_295 : Number.MAX_SAFE_INTEGER;
            expect(field.type.max).toBeLessThanOrEqual(limit);
            expect(field.type.min).toBeGreaterThanOrEqual(0);
        }
    });

    test("documents every input in one or two sentences", () => {
        for (const field of FIELDS as readonly FieldSpec[]) {
            expect(field.description.length).toBeGreaterThan(20);
            expect(field.description.split(/\.\s/).length).toBeLessThanOrEqual(2);
        }
    });

    test("names no field twice", () => {
        expect(new Set(FIELD_NAMES).size).toBe(FIELD_NAMES.length);
    });
});

describe("fieldByName()", () => {
    test("finds a field and refuses an unknown name", () => {
        expect(fieldByName("processorLimit")?.type).toMatchObject({ kind: "integer", min: 0, max: 100_000 });
        expect(fieldByName("procesorCount")).toBeUndefined();
    });
});
