#!/usr/bin/env node
// Writes schema.json (the Pulumi package schema of hcs:index:WcowUtilityVm) from the provider's
// field table, so the schema starts out right; test/schema/agreement.test.ts then proves schema.json,
// the SDK's WcowUtilityVmArgs and the provider's validation agree field by field.
// Usage: npm run build && node scripts/generate-schema.js
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { FIELDS } = require("../provider/dist/src/model/fields.js");

const TIMEOUTS_TYPE = "hcs:index:WcowUtilityVmTimeouts";

function typeOf(kind) {
    switch (kind.kind) {
        case "string": case "guid": case "windowsPath": return { type: "string" };
        case "boolean": return { type: "boolean" };
        case "integer": return { type: "integer" };
        case "windowsPathArray": return { type: "array", items: { type: "string" } };
        case "durationMap": return { $ref: `#/types/${TIMEOUTS_TYPE}` };
        default: throw new Error(`unknown kind ${kind.kind}`);
    }
}

const CHANGE_TEXT = {
    replace: "Changing it replaces the VM.",
    computeSystemId: "Changing it replaces the VM; when set, the old VM is deleted first.",
    inPlace: "Changing it updates the running VM in place.",
    providerSide: "Changing it updates the resource in place (nothing is sent to HCS).",
    memory: "Changing it updates the running VM in place when allowOvercommit is true, else replaces it.",
    start: "Changing it from false to true starts the VM in place; from true to false replaces it.",
    createOnly: "Read only when the VM is created; changing it later changes nothing.",
};

function inputSpec(field) {
    const spec = { ...typeOf(field.type), description: `${field.description} ${CHANGE_TEXT[field.change]}` };
    if (field.default.kind === "value") spec.default = field.default.value;
    if (field.default.kind === "dynamic") {
        spec.description += ` Default: ${field.default.description}.`;
        if (field.default.rule === "hostFromEnvironment") spec.defaultInfo = { environment: ["PULUMI_HCS_HOST"] };
    }
    if (field.change === "replace" || field.change === "computeSystemId") spec.replaceOnChanges = true;
    return spec;
}

const OUTPUTS = {
    runtimeId: { type: "string", description: "The Hyper-V VM GUID HCS assigned (properties RuntimeId); a new one means a new VM." },
    state: { type: "string", description: "Created, Running, Paused or Stopped, as HCS last reported it." },
    uvmFolder: { type: "string", description: "The layer folder holding UtilityVM\\." },
    scratchPath: { type: "string", description: "The scratch disk, <scratch folder>\\sandbox.vhdx." },
    scratchCreated: { type: "boolean", description: "Whether the provider copied sandbox.vhdx from the template (destroy then removes it)." },
    createdFolders: { type: "array", items: { type: "string" }, description: "Folders the provider created for the scratch, outermost first (destroy removes them when empty)." },
    assignedMemoryInMB: { type: "integer", description: "Memory HCS reported assigned at the last refresh, in MB." },
    hostId: {
        type: "string",
        description: "Which host the VM lives on, whatever address reaches it (simulator:<guid>, windows:<computer name>): " +
            "a new host value that reaches the same host changes nothing. Unset in states from before host IDs.",
    },
    guestConnection: {
        type: "string",
        description: "Who holds the VM's guest connection, without which nothing runs in it: none when pulumi-hcs did not start " +
            "the VM; lost when it connected to the guest at start (and negotiated) and the connection has ended, which on the " +
            "direct hosts (local, sim:) is always, with the provider's operation; connected when a long-lived owner (the host " +
            "agent, grpcs:// hosts) holds it.",
    },
    guestOsType: { type: "string", description: "The guest's OS as it said when it connected (windows); unset when it never connected." },
    guestProtocolVersion: { type: "integer", description: "The GCS protocol version negotiated with the guest (4); unset when it never connected." },
};

const inputProperties = Object.fromEntries(FIELDS.map((f) => [f.name, inputSpec(f)]));
const properties = {
    ...Object.fromEntries(FIELDS.map((f) => {
        const { default: _d, defaultInfo: _i, replaceOnChanges: _r, ...spec } = inputSpec(f);
        return [f.name, { ...spec, description: `Effective value: ${f.description}` }];
    })),
    ...OUTPUTS,
};
const alwaysSet = FIELDS.filter((f) => f.default.kind !== "none" || f.required).map((f) => f.name)
    .concat(["runtimeId", "state", "uvmFolder", "scratchPath", "scratchCreated", "createdFolders"]);

const schema = {
    name: "hcs",
    displayName: "HCS utility VMs",
    version: require("../sdk/package.json").version,
    description: "Windows utility VMs (the Hyper-V isolated VMs hcsshim's CreateWCOW builds) through the Host Compute Service.",
    keywords: ["pulumi", "hcs", "hyper-v", "windows", "containers", "category/infrastructure"],
    license: "Apache-2.0",
    resources: {
        "hcs:index:WcowUtilityVm": {
            description: "A Windows utility VM created through HCS (computecore.dll), following hcsshim's CreateWCOW. " +
                "Implemented as a Pulumi dynamic provider: the engine's type token is pulumi-nodejs:dynamic/hcs:WcowUtilityVm.",
            properties,
            required: alwaysSet,
            inputProperties,
            requiredInputs: FIELDS.filter((f) => f.required).map((f) => f.name),
        },
    },
    types: {
        [TIMEOUTS_TYPE]: {
            type: "object",
            description: "Limits for the provider's waits, as Go durations like \"90s\" or \"1h30m\" (Pulumi customTimeouts syntax).",
            properties: {
                create: { type: "string", description: "The longest a create (HCS create, and start) may take." },
                update: { type: "string", description: "The longest an in-place update may take." },
                delete: { type: "string", description: "The longest a delete (shutdown, terminate, cleanup) may take." },
            },
        },
    },
};

const target = path.join(__dirname, "..", "schema.json");
fs.writeFileSync(target, JSON.stringify(schema, null, 2) + "\n");
process.stdout.write(`wrote ${path.relative(process.cwd(), target)} (${FIELDS.length} inputs, ${Object.keys(properties).length} outputs)\n`);
