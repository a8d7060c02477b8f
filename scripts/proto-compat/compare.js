// Compares two API descriptions (scripts/proto-compat/describe.js): the snapshot of what v1 has
// promised and what the .proto files say now. v1 is add-only, so anything the snapshot has must
// still be there with the same number, name, type, cardinality and streaming; a generated client
// built against the snapshot would otherwise misread the wire (numbers, types) or JSON (names), or
// call a method that is gone. Everything new is an addition, reported so it can be recorded.
"use strict";

/**
 * @typedef {import("./describe").ApiDescription} ApiDescription
 * @typedef {import("./describe").FieldDescription} FieldDescription
 * @typedef {{ problems: string[], additions: string[] }} Comparison
 *   Each problem names the element first ("pulumi_hcs.agent.v1.Vm.state (field 3): ..."); each
 *   addition says what kind of element it is ("field pulumi_hcs.agent.v1.Vm.zone (field 19): string").
 */

/** `string`, `repeated string`, `optional string`, `map<string, pkg.Vm>`; `singular ` only when asked. */
function shape(field, { explicitSingular = false } = {}) {
    switch (field.label) {
        case "map": return `map<${field.keyType}, ${field.type}>`;
        case "singular": return explicitSingular ? `singular ${field.type}` : field.type;
        default: return `${field.label} ${field.type}`;
    }
}

function sameShape(a, b) {
    return a.label === b.label && a.type === b.type && a.keyType === b.keyType;
}

/** What changed in a field that kept its number and name. */
function fieldChanges(before, after) {
    const changes = [];
    if (before.label !== after.label) {
        changes.push(`changed from ${shape(before, { explicitSingular: true })} to ${shape(after, { explicitSingular: true })}`);
    } else {
        if (before.keyType !== after.keyType) changes.push(`map key type changed from ${before.keyType} to ${after.keyType}`);
        if (before.type !== after.type) changes.push(`type changed from ${before.type} to ${after.type}`);
    }
    if (before.oneof !== after.oneof) {
        if (before.oneof === undefined) changes.push(`moved into oneof ${after.oneof}`);
        else if (after.oneof === undefined) changes.push(`moved out of oneof ${before.oneof}`);
        else changes.push(`moved from oneof ${before.oneof} to oneof ${after.oneof}`);
    }
    if (before.jsonName !== after.jsonName) {
        changes.push(`JSON name changed from ${before.jsonName ?? "(default)"} to ${after.jsonName ?? "(default)"}`);
    }
    return changes;
}

/** @param {FieldDescription[]} before @param {FieldDescription[]} after */
function compareFields(message, before, after, out) {
    const afterByNumber = new Map(after.map((field) => [field.number, field]));
    const afterByName = new Map(after.map((field) => [field.name, field]));
    for (const old of before) {
        const where = `${message}.${old.name} (field ${old.number})`;
        const sameNumber = afterByNumber.get(old.number);
        const sameName = afterByName.get(old.name);
        if (sameNumber && sameNumber === sameName) {
            for (const change of fieldChanges(old, sameNumber)) out.problems.push(`${where}: ${change}`);
            continue;
        }
        if (sameName) out.problems.push(`${where}: renumbered to ${sameName.number}`);
        if (sameNumber) {
            // The old name gone and the number kept with the same shape reads as a rename; anything
            // else on that number is another field reusing it (old clients would misread it).
            if (!sameName && sameShape(old, sameNumber)) out.problems.push(`${where}: renamed to ${sameNumber.name}`);
            else out.problems.push(`${where}: number ${old.number} reused by a different field, ${sameNumber.name} (${shape(sameNumber)})`);
        }
        if (!sameName && !sameNumber) out.problems.push(`${where}: removed`);
    }
    const beforeNumbers = new Set(before.map((field) => field.number));
    const beforeNames = new Set(before.map((field) => field.name));
    for (const field of after) {
        if (!beforeNumbers.has(field.number) && !beforeNames.has(field.name)) {
            out.additions.push(`field ${message}.${field.name} (field ${field.number}): ${shape(field)}`);
        }
    }
}

function compareEnumValues(enumName, before, after, out) {
    const afterNamesByNumber = new Map();
    for (const [name, number] of Object.entries(after)) {
        if (!(name in before)) afterNamesByNumber.set(number, [...(afterNamesByNumber.get(number) ?? []), name]);
    }
    for (const [name, number] of Object.entries(before)) {
        const where = `${enumName}.${name} (value ${number})`;
        if (name in after) {
            if (after[name] !== number) out.problems.push(`${where}: renumbered to ${after[name]}`);
        } else if (afterNamesByNumber.has(number)) {
            out.problems.push(`${where}: renamed to ${afterNamesByNumber.get(number).join(", ")}`);
        } else {
            out.problems.push(`${where}: removed`);
        }
    }
    for (const [name, number] of Object.entries(after)) {
        if (!(name in before)) out.additions.push(`enum value ${enumName}.${name} = ${number}`);
    }
}

function compareMethods(service, before, after, out) {
    for (const [name, old] of Object.entries(before)) {
        const where = `${service}.${name}`;
        const now = after[name];
        if (!now) {
            out.problems.push(`${where}: method removed`);
            continue;
        }
        if (old.request !== now.request) out.problems.push(`${where}: request type changed from ${old.request} to ${now.request}`);
        if (old.response !== now.response) out.problems.push(`${where}: response type changed from ${old.response} to ${now.response}`);
        const flow = (streaming) => (streaming ? "streaming" : "unary");
        if (old.requestStream !== now.requestStream) {
            out.problems.push(`${where}: request changed from ${flow(old.requestStream)} to ${flow(now.requestStream)}`);
        }
        if (old.responseStream !== now.responseStream) {
            out.problems.push(`${where}: response changed from ${flow(old.responseStream)} to ${flow(now.responseStream)}`);
        }
    }
    for (const [name, method] of Object.entries(after)) {
        if (!(name in before)) out.additions.push(`method ${service}.${name}${signature(method)}`);
    }
}

function signature(method) {
    const stream = (streaming) => (streaming ? "stream " : "");
    return `(${stream(method.requestStream)}${method.request}) returns (${stream(method.responseStream)}${method.response})`;
}

/** The kind an element of that name has in a description, for "changed from a message to an enum". */
function kindOf(description, name) {
    if (name in description.messages) return "a message";
    if (name in description.enums) return "an enum";
    if (name in description.services) return "a service";
    return undefined;
}

/** Renames every `from.`-prefixed name (keys and type references) to `to.`: compares a renamed package's contents. */
function rebase(description, from, to) {
    const rename = (name) => (name.startsWith(`${from}.`) ? `${to}${name.slice(from.length)}` : name);
    const walk = (value) => {
        if (typeof value === "string") return rename(value);
        if (Array.isArray(value)) return value.map(walk);
        if (value && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [rename(key), walk(inner)]));
        }
        return value;
    };
    return { ...walk(description), package: to };
}

/**
 * @param {ApiDescription} before the snapshot
 * @param {ApiDescription} after the .proto files now
 * @returns {Comparison}
 */
function compareApis(before, after) {
    const out = { problems: [], additions: [] };
    if (after.package !== before.package) {
        out.problems.push(`package: renamed from ${before.package} to ${after.package}`);
        // Still compare the contents, so every other change is named too, not just "everything removed".
        after = rebase(after, after.package, before.package);
    }

    for (const [name, service] of Object.entries(before.services)) {
        if (after.services[name]) compareMethods(name, service.methods, after.services[name].methods, out);
        else out.problems.push(`${name}: service ${kindOf(after, name) ? `changed to ${kindOf(after, name)}` : "removed"}`);
    }
    for (const [name, message] of Object.entries(before.messages)) {
        if (after.messages[name]) compareFields(name, message.fields, after.messages[name].fields, out);
        else out.problems.push(`${name}: message ${kindOf(after, name) ? `changed to ${kindOf(after, name)}` : "removed"}`);
    }
    for (const [name, enumType] of Object.entries(before.enums)) {
        if (after.enums[name]) compareEnumValues(name, enumType.values, after.enums[name].values, out);
        else out.problems.push(`${name}: enum ${kindOf(after, name) ? `changed to ${kindOf(after, name)}` : "removed"}`);
    }

    for (const [kind, key] of [["service", "services"], ["message", "messages"], ["enum", "enums"]]) {
        for (const name of Object.keys(after[key])) {
            if (!kindOf(before, name)) out.additions.push(`${kind} ${name}`);
        }
    }
    return out;
}

module.exports = { compareApis };
