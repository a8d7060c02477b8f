// Turns one directory of .proto files (one protobuf package) into the normalized description that
// scripts/check-proto-compat.js compares and keeps as a snapshot: only what a compiled client or
// server depends on (names, numbers, types, cardinality, streaming), keyed by full name, in a fixed
// order so that the same API always gives the same JSON, whatever the file layout or comments.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// protobufjs is in the workspace already (@pulumi/pulumi -> @grpc/grpc-js -> @grpc/proto-loader),
// resolved from the repository's node_modules; loaded on first use so its absence is a plain message.
let protobufjs;
function protobuf() {
    if (!protobufjs) {
        try {
            protobufjs = require("protobufjs");
        } catch (err) {
            throw new Error(`protobufjs is not installed (${err.message.split("\n")[0]}); run npm ci first`);
        }
    }
    return protobufjs;
}

/**
 * @typedef {{ number: number, name: string, label: "singular" | "optional" | "repeated" | "map" | "required",
 *             type: string, keyType?: string, oneof?: string, jsonName?: string }} FieldDescription
 *   `type` is a scalar name or a message/enum's full name (no leading dot); for a map it is the
 *   value type and `keyType` the key's. `oneof` is a real oneof only (proto3 `optional` is a label).
 * @typedef {{ request: string, requestStream: boolean, response: string, responseStream: boolean }} MethodDescription
 * @typedef {{ package: string,
 *             services: Record<string, { methods: Record<string, MethodDescription> }>,
 *             messages: Record<string, { fields: FieldDescription[] }>,
 *             enums: Record<string, { values: Record<string, number> }> }} ApiDescription
 */

/** The .proto files directly in `protoDir` (a package is one directory; subdirectories are other packages). */
function protoFiles(protoDir) {
    return fs.readdirSync(protoDir, { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".proto"))
        .map((entry) => path.join(protoDir, entry.name))
        .sort();
}

/** Each file's `package` statement, read before loading so a mix of packages is named as such. */
function packageOf(file) {
    try {
        return protobuf().parse(fs.readFileSync(file, "utf8"), { keepCase: true }).package || "";
    } catch (err) {
        throw new Error(`${file}: ${err.message}`);
    }
}

// An import is looked up beside the importing file, then under each of its ancestors (so
// "pulumi_hcs/agent/v1/x.proto" is found from provider/proto/, as protoc -I provider/proto would);
// anything else (google/protobuf/*.proto) is left to protobufjs's bundled copies.
function resolveImport(origin, target) {
    if (path.isAbsolute(target)) return target;
    for (let dir = path.dirname(origin); ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, target);
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(dir) === dir) return target;
    }
}

const fullName = (reflected) => reflected.fullName.replace(/^\./, "");

/** @returns {FieldDescription} */
function describeField(field) {
    const described = { number: field.id, name: field.name };
    if (field.map) described.label = "map";
    else if (field.repeated) described.label = "repeated";
    else if (field.required) described.label = "required";
    else if (field.options && field.options.proto3_optional) described.label = "optional";
    else described.label = "singular";
    described.type = field.resolvedType ? fullName(field.resolvedType) : field.type;
    if (field.map) described.keyType = field.keyType;
    if (field.partOf && !(field.options && field.options.proto3_optional)) described.oneof = field.partOf.name;
    if (field.options && field.options.json_name !== undefined) described.jsonName = field.options.json_name;
    return described;
}

function sortedObject(entries) {
    return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Loads every .proto directly in `protoDir` and describes the package they declare.
 * Throws (with a message fit for the user) when there are none, when they declare more than one
 * package, or when they do not parse or resolve.
 * @returns {ApiDescription}
 */
function describeProtoDir(protoDir) {
    if (!fs.existsSync(protoDir)) throw new Error(`no such directory: ${protoDir}`);
    const files = protoFiles(path.resolve(protoDir));
    if (files.length === 0) throw new Error(`no .proto files in ${protoDir}`);

    const packages = new Set(files.map(packageOf));
    if (packages.size !== 1) {
        const list = [...packages].map((name) => name || "(no package)").join(", ");
        throw new Error(`the files in ${protoDir} declare packages ${list}: one directory is one package`);
    }

    const { Root, Service, Type, Enum, Namespace } = protobuf();
    const root = new Root();
    root.resolvePath = resolveImport;
    try {
        root.loadSync(files, { keepCase: true });
        root.resolveAll();
    } catch (err) {
        throw new Error(`${protoDir}: ${err.message}`);
    }

    // Imported definitions (google.protobuf.*, another package's files) are referred to, not described.
    const ours = new Set(files);
    const services = [];
    const messages = [];
    const enums = [];
    (function walk(namespace) {
        for (const nested of namespace.nestedArray) {
            if (nested instanceof Service) {
                if (ours.has(nested.filename)) services.push(nested);
            } else if (nested instanceof Type) {
                if (ours.has(nested.filename)) messages.push(nested);
            } else if (nested instanceof Enum) {
                if (ours.has(nested.filename)) enums.push(nested);
            }
            if (nested instanceof Namespace) walk(nested);
        }
    })(root);

    return {
        package: [...packages][0],
        services: sortedObject(services.map((service) => [fullName(service), {
            methods: sortedObject(service.methodsArray.map((method) => [method.name, {
                request: fullName(method.resolvedRequestType),
                requestStream: Boolean(method.requestStream),
                response: fullName(method.resolvedResponseType),
                responseStream: Boolean(method.responseStream),
            }])),
        }])),
        messages: sortedObject(messages.map((type) => [fullName(type), {
            fields: type.fieldsArray.map(describeField).sort((a, b) => a.number - b.number),
        }])),
        enums: sortedObject(enums.map((enumType) => [fullName(enumType), {
            values: Object.fromEntries(Object.entries(enumType.values)
                .sort(([nameA, a], [nameB, b]) => a - b || (nameA < nameB ? -1 : 1))),
        }])),
    };
}

module.exports = { describeProtoDir };
