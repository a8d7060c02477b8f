/**
 * The rules a ComputeSystem document must pass before the simulator creates a system: the schema,
 * the schema version the host supports, one system kind, and what a virtual machine cannot boot
 * without. Files the document names are checked separately (document-files.ts).
 */
import { HcsFailure, HR, EVENT_IDS } from "./hresults";
import { maxSchemaMinor } from "./schema";
import { invalidJson, parseJson, validateStruct, type SchemaProblem } from "./validate";

/** What the host reports about itself. */
export interface HostFacts {
    readonly build: number;
    readonly logicalProcessors: number;
}

/** A JSON object as parsed. */
export type Json = Record<string, unknown>;

/** Processor limits (ProcessorLimits / VirtualMachine_Processor) and their ranges. */
export const LIMIT_MAX = 100000;
export const WEIGHT_MAX = 10000;
export const RESERVATION_MAX = 100000;

/** The first build whose HCS takes a CPU group (hcsshim: "cpu group assignment on create requires a build of 19043"). */
export const CPU_GROUP_MIN_BUILD = 19043;

/**
 * `{Major, Minor}` schema versions this host accepts: 2.0 up to the newest its build supports.
 * GUESS: one element, `{2, newest}` (the reference: "Array element A.X implies all versions with major
 * version A and minor version from 0 to X").
 */
export function supportedSchemaVersions(build: number): { Major: number; Minor: number }[] {
    const max = maxSchemaMinor(build);
    return max === undefined ? [] : [{ Major: 2, Minor: max }];
}

function obj(v: unknown): Json | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Walks `a.b.c` through nested objects. */
export function dig(doc: unknown, path: string): unknown {
    let cur: unknown = doc;
    for (const name of path.split(".")) {
        const o = obj(cur);
        if (o === undefined) return undefined;
        cur = o[name];
    }
    return cur;
}

function invalidArg(message: string): HcsFailure {
    return new HcsFailure(HR.E_INVALIDARG, message, undefined, EVENT_IDS.invalidArgument);
}

/** Registry value field each RegistryValueType carries its data in. */
const REGISTRY_DATA_FIELD: Readonly<Record<string, string | undefined>> = {
    None: undefined,
    String: "StringValue",
    ExpandedString: "StringValue",
    MultiString: "StringValue",
    Binary: "BinaryValue",
    DWord: "DWordValue",
    QWord: "QWordValue",
    CustomType: "BinaryValue",
};
const REGISTRY_DATA_FIELDS = ["StringValue", "BinaryValue", "DWordValue", "QWordValue"];

/**
 * Parses and checks a ComputeSystem document for `host`.
 * @returns the parsed document.
 * @throws {HcsFailure} HCS_E_INVALID_JSON for schema problems (all of them, each naming its field),
 *   ERROR_NOT_SUPPORTED for system kinds the simulator does not model, E_INVALIDARG for a document
 *   that is well-formed but describes a VM HCS would not create.
 */
export function checkComputeSystemDocument(text: string, host: HostFacts): Json {
    const doc = parseJson(text, "compute system document");
    const problems: SchemaProblem[] = validateStruct("ComputeSystem", doc);
    const root = obj(doc);
    if (root === undefined) throw invalidJson("compute system document", problems);

    // Structure the schema alone cannot express: required parts.
    const version = obj(root.SchemaVersion);
    const maxMinor = maxSchemaMinor(host.build);
    if (root.SchemaVersion === undefined) {
        problems.push({ path: "SchemaVersion", message: "missing (every ComputeSystem document needs a schema version, e.g. {\"Major\":2,\"Minor\":1})" });
    } else if (version && typeof version.Major === "number" && typeof (version.Minor ?? 0) === "number") {
        const major = version.Major;
        const minor = (version.Minor as number | undefined) ?? 0;
        if (major !== 2 || maxMinor === undefined || minor > maxMinor) {
            problems.push({
                path: "SchemaVersion",
                message: `unsupported schema version ${major}.${minor} (this host, build ${host.build}, supports 2.0 to 2.${maxMinor ?? "?"})`,
            });
        }
    }
    const kinds = ["Container", "VirtualMachine", "HostedSystem"].filter((k) => root[k] !== undefined);
    if (kinds.length !== 1) {
        problems.push({
            path: "",
            message: `exactly one of Container, VirtualMachine, HostedSystem is required; found ${kinds.length === 0 ? "none" : kinds.join(" and ")}`,
        });
    }
    const vm = obj(root.VirtualMachine);
    if (vm) problems.push(...requiredVmParts(vm, host));
    if (problems.length > 0) throw invalidJson("compute system document", problems);

    if (kinds[0] !== "VirtualMachine") {
        throw new HcsFailure(HR.NOT_SUPPORTED, `${kinds[0]}: the simulator only simulates VirtualMachine compute systems`,
            undefined, EVENT_IDS.notSupported);
    }
    checkVmRules(vm!, host);
    return root;
}

/** Parts without which a VM cannot boot (reported as invalid JSON, like any missing field). */
function requiredVmParts(vm: Json, host: HostFacts): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    // GUESS: HCS refuses a VM with no memory size or no firmware at create; the simulator reports
    // them as missing fields of the document.
    if (dig(vm, "ComputeTopology.Memory.SizeInMB") === undefined) {
        problems.push({ path: "VirtualMachine.ComputeTopology.Memory.SizeInMB", message: "missing (a virtual machine needs a memory size)" });
    }
    const chipset = obj(vm.Chipset);
    if (!chipset || (chipset.Uefi === undefined && chipset.LinuxKernelDirect === undefined)) {
        problems.push({ path: "VirtualMachine.Chipset", message: "missing Uefi or LinuxKernelDirect (a virtual machine needs firmware to boot)" });
    }
    const cpuGroup = dig(vm, "ComputeTopology.Processor.CpuGroup");
    if (cpuGroup !== undefined && host.build < CPU_GROUP_MIN_BUILD) {
        // GUESS: an older HCS does not know the field and rejects it like any unknown field.
        problems.push({
            path: "VirtualMachine.ComputeTopology.Processor.CpuGroup",
            message: `not supported on build ${host.build} (CPU groups need build ${CPU_GROUP_MIN_BUILD} or later)`,
        });
    }
    const shares = dig(vm, "Devices.VirtualSmb.Shares");
    if (Array.isArray(shares)) {
        shares.forEach((share, i) => {
            for (const field of ["Name", "Path"]) {
                if (obj(share) && obj(share)![field] === undefined) {
                    problems.push({ path: `VirtualMachine.Devices.VirtualSmb.Shares[${i}].${field}`, message: "missing (required)" });
                }
            }
        });
    }
    const scsi = obj(dig(vm, "Devices.Scsi"));
    for (const [controller, value] of Object.entries(scsi ?? {})) {
        for (const [lun, attachment] of Object.entries(obj(obj(value)?.Attachments) ?? {})) {
            const a = obj(attachment);
            const at = `VirtualMachine.Devices.Scsi.${controller}.Attachments.${lun}`;
            if (a && a.Type === undefined) problems.push({ path: `${at}.Type`, message: "missing (required)" });
            if (a && a.Path === undefined) problems.push({ path: `${at}.Path`, message: "missing (required)" });
        }
    }
    const values = dig(vm, "RegistryChanges.AddValues");
    if (Array.isArray(values)) {
        values.forEach((value, i) => problems.push(...registryValueProblems(obj(value), `VirtualMachine.RegistryChanges.AddValues[${i}]`)));
    }
    const deletes = dig(vm, "RegistryChanges.DeleteKeys");
    if (Array.isArray(deletes)) {
        deletes.forEach((key, i) => problems.push(...registryKeyProblems(obj(key), `VirtualMachine.RegistryChanges.DeleteKeys[${i}]`)));
    }
    return problems;
}

function registryKeyProblems(key: Json | undefined, at: string): SchemaProblem[] {
    if (key === undefined) return [];
    const problems: SchemaProblem[] = [];
    // GUESS: a registry key without a hive or name is rejected (hcsshim drops such entries itself).
    if (key.Hive === undefined) problems.push({ path: `${at}.Hive`, message: "missing (required)" });
    if (typeof key.Name !== "string" || key.Name === "") problems.push({ path: `${at}.Name`, message: "missing or empty (required)" });
    return problems;
}

function registryValueProblems(value: Json | undefined, at: string): SchemaProblem[] {
    if (value === undefined) return [];
    const problems: SchemaProblem[] = [];
    if (value.Key === undefined) problems.push({ path: `${at}.Key`, message: "missing (required)" });
    else problems.push(...registryKeyProblems(obj(value.Key), `${at}.Key`));
    if (typeof value.Name !== "string" || value.Name === "") problems.push({ path: `${at}.Name`, message: "missing or empty (required)" });
    if (value.Type === undefined) {
        problems.push({ path: `${at}.Type`, message: "missing (required)" });
        return problems;
    }
    // The reference: "One and only one value type must be set."
    const set = REGISTRY_DATA_FIELDS.filter((f) => value[f] !== undefined);
    if (set.length > 1) problems.push({ path: at, message: `more than one value is set (${set.join(", ")}); exactly one may be` });
    const wanted = REGISTRY_DATA_FIELD[value.Type as string];
    if (set.length === 1 && set[0] !== wanted) {
        // GUESS: HCS rejects a value whose data field does not match its Type.
        problems.push({ path: `${at}.${set[0]}`, message: `does not match Type ${JSON.stringify(value.Type)} (which takes ${wanted ?? "no value"})` });
    }
    if (value.Type === "CustomType" && value.CustomType === undefined) problems.push({ path: `${at}.CustomType`, message: "missing (required when Type is CustomType)" });
    return problems;
}

function checkVmRules(vm: Json, host: HostFacts): void {
    const memory = obj(dig(vm, "ComputeTopology.Memory")) ?? {};
    const size = memory.SizeInMB as number;
    if (size <= 0) throw invalidArg("VirtualMachine.ComputeTopology.Memory.SizeInMB: must be greater than 0");
    // GUESS: HCS needs memory in whole 2 MB units (hcsshim rounds up for that reason: "align to 2MB").
    if (size % 2 !== 0) throw invalidArg(`VirtualMachine.ComputeTopology.Memory.SizeInMB: ${size} is not a multiple of 2 MB`);
    if (memory.EnableDeferredCommit === true && memory.AllowOvercommit !== true) {
        // GUESS: the HRESULT; hcsshim's text for the same rule is quoted.
        throw invalidArg("VirtualMachine.ComputeTopology.Memory.EnableDeferredCommit: EnableDeferredCommit is not supported on physically backed VMs (AllowOvercommit is not true)");
    }
    const processor = obj(dig(vm, "ComputeTopology.Processor")) ?? {};
    const count = processor.Count as number | undefined;
    // GUESS: Count absent (or 0, which hcsshim omits) means one virtual processor.
    if (count !== undefined && count > host.logicalProcessors) {
        // GUESS: HCS refuses more virtual processors than the host has logical processors (hcsshim clamps to avoid this).
        throw invalidArg(`VirtualMachine.ComputeTopology.Processor.Count: ${count} is more than this host's ${host.logicalProcessors} logical processors`);
    }
    checkLimits(processor, "VirtualMachine.ComputeTopology.Processor");

    const boot = obj(dig(vm, "Chipset.Uefi.BootThis"));
    const shares = dig(vm, "Devices.VirtualSmb.Shares");
    if (boot?.DeviceType === "VmbFs" && (!Array.isArray(shares) || shares.length === 0)) {
        // GUESS: a VmbFs boot entry needs a VSMB share to boot from.
        throw invalidArg("VirtualMachine.Chipset.Uefi.BootThis: DeviceType VmbFs needs a share in VirtualMachine.Devices.VirtualSmb.Shares to boot from");
    }
    const scsi = obj(dig(vm, "Devices.Scsi")) ?? {};
    if (boot?.DeviceType === "ScsiDrive" && Object.keys(scsi).length === 0) {
        throw invalidArg("VirtualMachine.Chipset.Uefi.BootThis: DeviceType ScsiDrive needs a disk in VirtualMachine.Devices.Scsi");
    }
    // GUESS: Hyper-V's limits: 4 SCSI controllers, 64 LUNs each.
    if (Object.keys(scsi).length > 4) throw invalidArg(`VirtualMachine.Devices.Scsi: ${Object.keys(scsi).length} controllers; a VM has at most 4`);
    for (const [controller, value] of Object.entries(scsi)) {
        for (const lun of Object.keys(obj(obj(value)?.Attachments) ?? {})) {
            if (Number(lun) > 63) throw invalidArg(`VirtualMachine.Devices.Scsi.${controller}.Attachments.${lun}: LUN ${lun} is above 63`);
        }
    }
    if (Array.isArray(shares)) {
        const seen = new Set<string>();
        shares.forEach((share, i) => {
            const name = String(obj(share)?.Name).toLowerCase();
            // GUESS: share names are unique, compared case-insensitively (they are SMB share names).
            if (seen.has(name)) throw invalidArg(`VirtualMachine.Devices.VirtualSmb.Shares[${i}].Name: a share named ${JSON.stringify(obj(share)?.Name)} already exists`);
            seen.add(name);
        });
    }
}

/**
 * Checks processor limit ranges (create documents and modify requests alike).
 * @throws {HcsFailure} E_INVALIDARG naming the field.
 */
export function checkLimits(limits: Json, at: string): void {
    // GUESS: out-of-range limits are E_INVALIDARG (the ranges are hcsshim's and Hyper-V's).
    const ranges: [string, number][] = [["Limit", LIMIT_MAX], ["Weight", WEIGHT_MAX], ["Reservation", RESERVATION_MAX]];
    for (const [field, max] of ranges) {
        const v = limits[field];
        if (typeof v === "number" && v > max) throw invalidArg(`${at}.${field}: ${v} is out of range (0 to ${max})`);
    }
}
