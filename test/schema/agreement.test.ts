/**
 * schema.json, the SDK's WcowUtilityVmArgs and the provider's validation describe the same inputs:
 * names, types, required-ness, defaults and replace-on-change, field by field. The provider's field
 * table (`model/fields.ts`) is what validation runs on, so each side is compared with it, and the
 * validation itself is exercised so the table cannot drift from what it enforces.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { FIELDS, type FieldSpec } from "../../provider/src/model/fields";
import { resolveOptions } from "../../provider/src/model/resolve";
import { validateArgs } from "../../provider/src/model/validate";
import { INPUTS, OUTPUTS } from "../../sdk/src/wcow-utility-vm";

const ROOT = path.resolve(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as {
    name: string;
    resources: Record<string, {
        inputProperties: Record<string, { type?: string; $ref?: string; items?: { type: string }; default?: unknown; replaceOnChanges?: boolean; description?: string }>;
        requiredInputs: string[];
        properties: Record<string, unknown>;
    }>;
};
const resource = schema.resources["hcs:index:WcowUtilityVm"]!;

/** The schema type a field's value kind must have. */
function schemaType(field: FieldSpec): string {
    switch (field.type.kind) {
        case "integer": return "integer";
        case "boolean": return "boolean";
        case "windowsPathArray": return "array<string>";
        case "durationMap": return "#/types/hcs:index:WcowUtilityVmTimeouts";
        default: return "string";
    }
}

/** The SDK type a field's value kind must have (the text inside pulumi.Input<...>). */
function sdkType(field: FieldSpec): string {
    switch (field.type.kind) {
        case "integer": return "number";
        case "boolean": return "boolean";
        case "windowsPathArray": return "pulumi.Input<string>[]";
        case "durationMap": return "WcowUtilityVmTimeouts";
        default: return "string";
    }
}

interface SdkProperty { name: string; optional: boolean; type: string; defaultTag: string | undefined; doc: string }

/** WcowUtilityVmArgs as the TypeScript compiler reads sdk/src/wcow-utility-vm.ts. */
function sdkArgs(): SdkProperty[] {
    const file = path.join(ROOT, "sdk/src/wcow-utility-vm.ts");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const args = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "WcowUtilityVmArgs");
    if (!args) throw new Error("WcowUtilityVmArgs not found in the SDK");
    return args.members.filter(ts.isPropertySignature).map((member) => {
        const typeText = member.type!.getText(source);
        const inner = /^pulumi\.Input<(.*)>$/s.exec(typeText)?.[1];
        if (inner === undefined) throw new Error(`${member.name.getText(source)} is not typed pulumi.Input<...>: ${typeText}`);
        const tags = ts.getJSDocTags(member);
        const defaultTag = tags.find((t) => t.tagName.text === "default");
        const comment = (defaultTag?.comment ?? undefined) as string | undefined;
        const docs = ts.getJSDocCommentsAndTags(member).map((d) => d.getText(source)).join("\n");
        return { name: member.name.getText(source), optional: member.questionToken !== undefined, type: inner, defaultTag: comment?.trim(), doc: docs };
    });
}

function defaultText(field: FieldSpec): string | undefined {
    if (field.default.kind === "value") return typeof field.default.value === "string" ? JSON.stringify(field.default.value) : String(field.default.value);
    if (field.default.kind === "dynamic") return field.default.description;
    return undefined;
}

const REPLACING = new Set(["replace", "computeSystemId"]);

describe("schema.json", () => {
    it("is the package 'hcs' with the resource hcs:index:WcowUtilityVm", () => {
        expect(schema.name).toBe("hcs");
        expect(Object.keys(schema.resources)).toEqual(["hcs:index:WcowUtilityVm"]);
    });

    it("has exactly the provider's inputs, in order", () => {
        expect(Object.keys(resource.inputProperties)).toEqual(FIELDS.map((f) => f.name));
    });

    it.each(FIELDS.map((f) => [f.name, f] as const))("%s: type, required, default and replace-on-change agree", (name, field) => {
        const spec = resource.inputProperties[name]!;
        const type = spec.$ref ?? (spec.type === "array" ? `array<${spec.items!.type}>` : spec.type);
        expect(type).toBe(schemaType(field));
        expect(resource.requiredInputs.includes(name)).toBe(field.required);
        expect(spec.default).toEqual(field.default.kind === "value" ? field.default.value : undefined);
        expect(spec.replaceOnChanges === true).toBe(REPLACING.has(field.change));
    });

    it("has the same outputs as the SDK declares, and the SDK registers every one of them", () => {
        const sdk = fs.readFileSync(path.join(ROOT, "sdk/src/wcow-utility-vm.ts"), "utf8");
        const declared = [...sdk.matchAll(/declare public readonly (\w+): pulumi\.Output</g)].map((m) => m[1]);
        expect(declared).toEqual(Object.keys(resource.properties));
        expect([...OUTPUTS]).toEqual(Object.keys(resource.properties));
    });
});

describe("the SDK's WcowUtilityVmArgs", () => {
    const sdk = sdkArgs();

    it("has exactly the provider's inputs, in order", () => {
        expect(sdk.map((p) => p.name)).toEqual(FIELDS.map((f) => f.name));
    });

    it("sends exactly those inputs as inputs (INPUTS); any other key is only named, for check to refuse", () => {
        expect([...INPUTS]).toEqual(FIELDS.map((f) => f.name));
    });

    // The uint64 sizes and the string lengths have bounds we chose (fields.ts says why), so the SDK
    // must state them: as the largest value, or as the limit just past it (2^32 MB as 4294967296).
    it.each((FIELDS as readonly FieldSpec[]).flatMap((f) => {
        const bound = f.type.kind === "integer" && f.type.goType === "uint64" ? f.type.max : f.type.kind === "string" ? f.type.maxLength : undefined;
        return bound === undefined ? [] : [[f.name, bound] as const];
    }))("%s: states its upper bound, %p", (name, bound) => {
        const property = sdk.find((p) => p.name === name)!;
        expect([String(bound), String(bound + 1)].some((text) => property.doc.includes(text))).toBe(true);
        expect([String(bound), String(bound + 1)].some((text) => resource.inputProperties[name]!.description?.includes(text))).toBe(true);
    });

    it.each(FIELDS.map((f) => [f.name, f] as const))("%s: type, optionality, @default and change note agree", (name, field) => {
        const property = sdk.find((p) => p.name === name)!;
        expect(property.type).toBe(sdkType(field));
        expect(property.optional).toBe(!field.required);
        expect(property.defaultTag).toBe(defaultText(field));
        const note = REPLACING.has(field.change) ? "Change: replace"
            : field.change === "providerSide" ? "Change: in place (provider-side)"
            : field.change === "createOnly" ? "Change: none (read only at create"
            : "Change: ";
        expect(property.doc).toContain(note);
    });
});

describe("the provider's validation", () => {
    const minimal = { layerFolders: ["C:\\layers\\base", "C:\\uvms\\vm1"] };
    const host = { logicalProcessors: 8, build: 20348, creatorProcessors: 2 };

    it.each(FIELDS.filter((f) => !f.required).map((f) => [f.name, f] as const))("%s: refuses a value of the wrong type", (name, field) => {
        const wrong = field.type.kind === "boolean" ? 1 : field.type.kind === "integer" ? "1" : field.type.kind === "durationMap" ? "5m" : true;
        const failures = validateArgs({ ...minimal, [name]: wrong });
        expect(failures.map((f) => f.field.replace(/[[.].*$/, ""))).toContain(name);
    });

    it("requires exactly the inputs the schema requires", () => {
        const failures = validateArgs({});
        expect(failures.map((f) => f.field)).toEqual(resource.requiredInputs);
    });

    it.each(FIELDS.filter((f) => f.default.kind === "value").map((f) => [f.name, f] as const))("%s: resolves to the schema's default when not given", (name) => {
        const resolved = resolveOptions(minimal, host);
        if (!resolved.ok) throw new Error(JSON.stringify(resolved.failures));
        expect((resolved.options as unknown as Record<string, unknown>)[name]).toEqual(resource.inputProperties[name]!.default);
    });
});
