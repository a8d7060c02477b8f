import type { WcowUtilityVmArgs } from "./args";
import { describeBadCharacter, describeValue, findBadCharacter, quote } from "./characters";
import { parseDuration } from "./duration";
import {
    FIELDS,
    FIELD_NAMES,
    PHYSICAL_ADDRESS_LIMIT_IN_MB,
    TIMEOUT_NAMES,
    fieldByName,
    type FieldName,
    type FieldSpec,
    type ValueKind,
} from "./fields";
import { NIL_GUID, parseGuid } from "./guid";
import { parseHostTarget } from "./host-target";
import type { ResolvedTimeouts } from "./resolved-options";
import { unknownKeyFailure } from "./unknown-key";
import { failureInput, type ValidationFailure } from "./validation-failure";
import { INVALID_NAME_CHARACTERS, invalidNameCharacter, reservedDeviceName } from "./windows-name";
import { MAX_WINDOWS_PATH_LENGTH, joinWindowsPath, parseWindowsPath, windowsPathKey } from "./windows-path";

/** hcsshim `verifyOptions` rule 1 (`internal/uvm/create.go`), verbatim. */
export const DEFERRED_COMMIT_MESSAGE = "EnableDeferredCommit is not supported on physically backed VMs";
/** hcsshim `verifyOptions` rule 2, verbatim. */
export const LAYER_FOLDERS_MESSAGE = "at least 2 LayerFolders must be supplied";
/** hcsshim `verifyOptions` rule 3, verbatim. */
export const SCSI_CONTROLLER_MESSAGE = "exactly 1 SCSI controller is required for WCOW";

/** The scratch disk's file name inside the scratch folder (hcsshim `CreateWCOW`). */
const SCRATCH_FILE_NAME = "sandbox.vhdx";

/** An input's value after its own checks: normalized, with the same shape the resolved options use. */
export type CheckedValues = {
    -readonly [K in FieldName]?: K extends "layerFolders"
        ? readonly string[]
        : K extends "timeouts"
          ? ResolvedTimeouts
          : NonNullable<WcowUtilityVmArgs[K]>;
};

/** The outcome of {@link checkArgs}. */
export interface CheckedArgs {
    /** Every failure found, unknown inputs first, then in input (table) order. */
    readonly failures: readonly ValidationFailure[];
    /**
     * Each input that was given and passed its own checks, normalized. An input with a failure of its
     * own is absent, so a caller can still use the good ones (for example, to look for the UVM folder
     * while reporting an unrelated bad input).
     */
    readonly values: CheckedValues;
}

/**
 * Checks WcowUtilityVm inputs without host facts: names, types, ranges, formats, paths, and the
 * rules between inputs. Reports every failure, never only the first.
 *
 * `undefined` and `null` both mean "not given" (Pulumi programs and JSON files use either).
 * The caller must remove Pulumi's reserved `__provider` key first; it is not an input.
 *
 * Only the object's own keys count: an input inherited from a prototype is not an input, and a
 * key named like an `Object.prototype` member (`hasOwnProperty`, `constructor`, `__proto__`) is
 * refused as unknown like any other.
 */
export function validateArgs(args: unknown): ValidationFailure[] {
    return [...checkArgs(args).failures];
}

/**
 * {@link validateArgs} for inputs of which only some are known yet (the SDK, when a program declares
 * a VM; check, during a preview, for inputs computed from other resources). `known` holds the inputs
 * whose values are known; `unknownInputs` names the others. Every failure that could still change
 * once they are known is left out: "is required" for an unknown input, and each rule between inputs
 * that reads one. So whatever the unknown values turn out to be, validateArgs of the whole inputs
 * reports every failure this reports.
 */
export function validateKnownArgs(known: object, unknownInputs: Iterable<string>): ValidationFailure[] {
    return [...checkArgs(known, new Set(unknownInputs)).failures];
}

/**
 * {@link validateArgs}, also returning the inputs that passed, normalized.
 * @param unknownInputs inputs not known yet, as for {@link validateKnownArgs}.
 */
export function checkArgs(args: unknown, unknownInputs: ReadonlySet<string> = new Set()): CheckedArgs {
    const failures: ValidationFailure[] = [];
    const values: Record<string, unknown> = {};
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
        failures.push({
            field: "args",
            message: `the WcowUtilityVm inputs must be an object like { "layerFolders": ["C:\\layers\\base", "C:\\uvms\\vm1"] }, got ${describeValue(args)}`,
        });
        return { failures, values };
    }
    const input = ownValues(args);

    for (const key of input.keys()) {
        if (fieldByName(key) === undefined) failures.push(unknownKeyFailure([key]));
    }

    for (const field of FIELDS as readonly FieldSpec[]) {
        const raw = input.get(field.name);
        if (raw === undefined || raw === null) {
            if (field.required && !unknownInputs.has(field.name)) failures.push(missing(field));
            continue;
        }
        const checked = checkValue(field, raw);
        failures.push(...checked.failures);
        if (checked.failures.length === 0) values[field.name] = checked.value;
    }

    const result = values as CheckedValues;
    for (const rule of RULES_BETWEEN_INPUTS) {
        if (!rule.reads.some((name) => unknownInputs.has(name))) failures.push(...rule.check(input, result));
    }
    return { failures: orderFailures(failures), values: result };
}

/** A rule between inputs: the inputs it reads, and its check of the given inputs and their checked values. */
interface RuleBetweenInputs {
    readonly reads: readonly FieldName[];
    readonly check: (input: ReadonlyMap<string, unknown>, values: CheckedValues) => ValidationFailure[];
}

/** Every rule between inputs; a rule that reads an input not known yet cannot be judged. */
const RULES_BETWEEN_INPUTS: readonly RuleBetweenInputs[] = [
    { reads: ["allowOvercommit", "enableDeferredCommit", "fullyPhysicallyBacked"], check: checkMemoryBacking },
    { reads: ["highMMIOBaseInMB", "highMMIOGapInMB"], check: (_input, values) => checkHighMmioRegion(values) },
    { reads: ["adoptExisting", "computeSystemId"], check: checkAdoptionTarget },
];

/** An object's own enumerable keys and values, in a Map so no key can reach a prototype. */
function ownValues(object: object): ReadonlyMap<string, unknown> {
    return new Map(Object.entries(object));
}

/**
 * Sorts failures the way users read them: unknown inputs first, then by input in table order; the
 * sort is stable, so failures of one input keep their order.
 */
export function orderFailures(failures: readonly ValidationFailure[]): ValidationFailure[] {
    const rank = (f: ValidationFailure): number => {
        const index = FIELD_NAMES.indexOf(failureInput(f) as FieldName);
        return index; // -1 for unknown inputs and "args", which come first
    };
    return [...failures].sort((a, b) => rank(a) - rank(b));
}

function missing(field: FieldSpec): ValidationFailure {
    if (field.name === "layerFolders") {
        return {
            field: field.name,
            message:
                `${LAYER_FOLDERS_MESSAGE} (layerFolders is missing; list the read-only layers from the top-most ` +
                `down to the base layer holding UtilityVM, then the scratch folder last)`,
        };
    }
    return { field: field.name, message: "is required" };
}

interface Checked {
    readonly value?: unknown;
    readonly failures: ValidationFailure[];
}

const ok = (value: unknown): Checked => ({ value, failures: [] });
const bad = (field: string, message: string): Checked => ({ failures: [{ field, message }] });

function checkValue(field: FieldSpec, raw: unknown): Checked {
    const type: ValueKind = field.type;
    switch (type.kind) {
        case "string":
            return checkString(field, raw, type);
        case "boolean":
            return checkBoolean(field.name, raw);
        case "integer":
            return checkInteger(field, raw, type);
        case "guid":
            return checkGuid(field.name, raw);
        case "windowsPath":
            return checkPath(field.name, raw);
        case "windowsPathArray":
            return checkLayerFolders(field.name, raw, type.minItems);
        case "durationMap":
            return checkTimeouts(field.name, raw);
    }
}

function checkString(field: FieldSpec, raw: unknown, type: Extract<ValueKind, { kind: "string" }>): Checked {
    const name = field.name;
    if (typeof raw !== "string") return bad(name, `must be a string, got ${describeValue(raw)}`);
    if (raw === "") return bad(name, `must not be empty; omit ${name} ${omitEffect(field)}`);
    if (type.maxLength !== undefined && raw.length > type.maxLength) {
        const example = type.format === "computeSystemId" ? " (a GUID is 36 characters)" : "";
        return bad(name, `is ${raw.length} characters long, over the limit of ${type.maxLength}; choose a shorter ${name}${example}`);
    }
    switch (type.format) {
        case "text": {
            const badChar = findBadCharacter(raw, { controls: false });
            return badChar === undefined ? ok(raw) : bad(name, `${quote(raw)} is not usable: ${describeBadCharacter(badChar)}`);
        }
        case "computeSystemId":
            return checkComputeSystemId(name, raw);
        case "hostTarget": {
            const parsed = parseHostTarget(raw);
            return parsed.ok ? ok(parsed.text) : bad(name, parsed.reason);
        }
    }
}

/**
 * A compute system ID must be a name Windows keeps as written (see MAX_COMPUTE_SYSTEM_ID_LENGTH):
 * HCS grants file access by it and tools list it, and a name Windows refuses (`con`, `a*`) or
 * changes (`vm.`, ` vm`) would fail or mean something else there, only at create.
 */
function checkComputeSystemId(name: string, raw: string): Checked {
    const what = `${quote(raw)} is not a usable compute system ID`;
    const fix = "use letters, digits, '-' and '_' (a GUID is typical)";
    const badChar = findBadCharacter(raw, { controls: true });
    if (badChar !== undefined) return bad(name, `${what}: ${describeBadCharacter(badChar)}`);
    const separator = /[\\/]/.exec(raw)?.[0];
    if (separator !== undefined) {
        return bad(name, `${what}: it contains '${separator}', which would break the object and file names HCS and the simulator derive from the ID; ${fix}`);
    }
    const invalid = invalidNameCharacter(raw);
    if (invalid !== undefined) {
        return bad(name, `${what}: it contains '${invalid}', which Windows does not allow in names (${INVALID_NAME_CHARACTERS.split("").join(" ")}); ${fix}`);
    }
    if (/^[. ]+$/.test(raw)) {
        return bad(
            name,
            `${what}: it is only dots and spaces, which Windows does not take as a name ("." and ".." are the current and parent folder, ` +
                `and trailing dots and spaces are stripped); ${fix}`,
        );
    }
    if (raw.endsWith(" ") || raw.endsWith(".")) {
        const trailing = raw.endsWith(".") ? "dot" : "space";
        return bad(
            name,
            `${what}: it ends with a ${trailing}, which Windows strips from names, so it would name the same thing as ` +
                `${quote(raw.replace(/[. ]+$/, ""))}; remove the trailing ${trailing}`,
        );
    }
    if (raw.startsWith(" ")) {
        return bad(name, `${what}: it starts with a space, which command lines and tools such as hcsdiag trim or lose; remove the leading space`);
    }
    const device = reservedDeviceName(raw);
    if (device !== undefined) {
        return bad(name, `${what}: it is the reserved device name ${device} (in any case, with or without an extension), which Windows opens as a device; ${fix}`);
    }
    return ok(raw);
}

function checkBoolean(name: string, raw: unknown): Checked {
    if (typeof raw === "boolean") return ok(raw);
    const hint = raw === "true" || raw === "false" ? `; write ${raw} without quotes` : "";
    return bad(name, `must be a boolean (true or false), got ${describeValue(raw)}${hint}`);
}

function checkInteger(field: FieldSpec, raw: unknown, type: Extract<ValueKind, { kind: "integer" }>): Checked {
    const name = field.name;
    if (typeof raw !== "number") {
        const hint = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? `; write ${raw.trim()} without quotes` : "";
        return bad(name, `must be an integer, got ${describeValue(raw)}${hint}`);
    }
    if (!Number.isFinite(raw)) return bad(name, `must be a finite integer, got ${describeValue(raw)}`);
    if (!Number.isInteger(raw)) return bad(name, `must be a whole number, got ${raw}`);
    if (Math.abs(raw) > Number.MAX_SAFE_INTEGER) {
        // The number the program wrote is lost: JavaScript rounded it to the double we got. Quoting
        // that double as if it were the value written would send the user looking for a number
        // that is not in their program, so the message says what happened to it.
        const range = type.max < Number.MAX_SAFE_INTEGER ? `an integer from ${type.min} to ${type.max}` : `at most ${Number.MAX_SAFE_INTEGER}`;
        return bad(
            name,
            `must be ${range}, got a number beyond ${Number.MAX_SAFE_INTEGER}, the largest integer JavaScript represents exactly ` +
                `(it arrived rounded, as ${raw}); choose a value in range or omit ${name} ${omitEffect(field)}`,
        );
    }
    const value = raw === 0 ? 0 : raw; // -0 becomes 0
    if (name === "scsiControllerCount" && value !== 1) {
        return bad(name, `${SCSI_CONTROLLER_MESSAGE} (scsiControllerCount is ${value}; set scsiControllerCount: 1 or omit it)`);
    }
    if (value < type.min || value > type.max) {
        const note = type.note !== undefined ? ` (${type.note})` : "";
        return bad(
            name,
            `must be an integer from ${type.min} to ${type.max}${note}, got ${value}; choose a value in range or omit ${name} ${omitEffect(field)}`,
        );
    }
    return ok(value);
}

/** What leaving an input out does, for "omit x …" fixes. */
function omitEffect(field: FieldSpec): string {
    switch (field.default.kind) {
        case "value":
            return `for the default, ${JSON.stringify(field.default.value)}`;
        case "dynamic":
            return `for the default, ${field.default.description}`;
        case "none":
            return "to leave it unset";
    }
}

function checkGuid(name: string, raw: unknown): Checked {
    if (typeof raw !== "string") return bad(name, `must be a GUID string, got ${describeValue(raw)}`);
    const guid = parseGuid(raw);
    if (guid === undefined) {
        return bad(
            name,
            `${quote(raw)} is not a GUID; write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx with hexadecimal digits (braces optional)`,
        );
    }
    if (guid === NIL_GUID) {
        return bad(name, `the null GUID ${NIL_GUID} means "no CPU group" to HCS; omit ${name} instead`);
    }
    // As written: hcsshim hands CPUGroupID to HCS verbatim (braces, upper case and all).
    return ok(raw);
}

function checkPath(name: string, raw: unknown): Checked {
    if (typeof raw !== "string") return bad(name, `must be a Windows path string, got ${describeValue(raw)}`);
    const parsed = parseWindowsPath(raw);
    return parsed.ok ? ok(parsed.path) : bad(name, `${quote(raw)} is not a usable Windows path: ${parsed.reason}`);
}

function checkLayerFolders(name: string, raw: unknown, minItems: number): Checked {
    if (!Array.isArray(raw)) {
        return bad(name, `must be a list of Windows paths, got ${describeValue(raw)}`);
    }
    const failures: ValidationFailure[] = [];
    if (raw.length < minItems) {
        failures.push({
            field: name,
            message:
                `${LAYER_FOLDERS_MESSAGE} (layerFolders has ${raw.length} ${raw.length === 1 ? "entry" : "entries"}; list the read-only ` +
                `layers from the top-most down to the base layer holding UtilityVM, then the scratch folder last)`,
        });
    }
    const folders: string[] = [];
    const seen = new Map<string, number>();
    raw.forEach((item: unknown, index) => {
        const itemField = `${name}[${index}]`;
        const checked = checkPath(itemField, item);
        if (checked.failures.length > 0) {
            failures.push(...checked.failures);
            return;
        }
        const folder = checked.value as string;
        const key = windowsPathKey(folder);
        const first = seen.get(key);
        if (first !== undefined) {
            failures.push({
                field: itemField,
                message:
                    `${quote(folder)} names the same folder as ${name}[${first}] (${quote(folders[first] ?? "")}; Windows paths are ` +
                    `case-insensitive); list each folder once`,
            });
            return;
        }
        seen.set(key, index);
        folders[index] = folder;
    });
    const lastIndex = raw.length - 1;
    const scratch = folders[lastIndex];
    if (raw.length >= minItems && scratch !== undefined) {
        const scratchFile = joinWindowsPath(scratch, SCRATCH_FILE_NAME);
        if (scratchFile.length > MAX_WINDOWS_PATH_LENGTH) {
            failures.push({
                field: `${name}[${lastIndex}]`,
                message:
                    `the scratch disk path ${quote(scratchFile)} would be ${scratchFile.length} characters long, over the limit of ` +
                    `${MAX_WINDOWS_PATH_LENGTH} (MAX_PATH); choose a shorter scratch folder`,
            });
        }
    }
    return { value: folders, failures };
}

function checkTimeouts(name: string, raw: unknown): Checked {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        return bad(name, `must be an object like { "create": "10m", "delete": "5m" }, got ${describeValue(raw)}`);
    }
    const failures: ValidationFailure[] = [];
    const timeouts: { -readonly [K in keyof ResolvedTimeouts]: number } = {};
    const known = TIMEOUT_NAMES as readonly string[];
    for (const [key, value] of Object.entries(raw)) {
        const field = `${name}.${key}`;
        if (!known.includes(key)) {
            failures.push(unknownKeyFailure([name, key]));
            continue;
        }
        if (value === undefined || value === null) continue;
        if (typeof value !== "string") {
            failures.push({ field, message: `must be a duration string like "5m" or "90s", got ${describeValue(value)}` });
            continue;
        }
        const parsed = parseDuration(value);
        if (!parsed.ok) {
            failures.push({ field, message: parsed.reason });
            continue;
        }
        timeouts[key as keyof ResolvedTimeouts] = parsed.milliseconds;
    }
    return { value: timeouts, failures };
}

/**
 * The memory-backing rules between inputs. A fully physically backed VM cannot overcommit memory
 * (hcsshim's annotation handler forces `AllowOvercommit=false` with it), so `allowOvercommit` defaults
 * to false there and an explicit `true` is a contradiction. hcsshim's deferred-commit rule is then
 * checked against the effective `allowOvercommit`.
 */
function checkMemoryBacking(input: ReadonlyMap<string, unknown>, values: CheckedValues): ValidationFailure[] {
    const failures: ValidationFailure[] = [];
    const physical = values.fullyPhysicallyBacked === true;
    const allowGiven = input.get("allowOvercommit") !== undefined && input.get("allowOvercommit") !== null;
    if (physical && values.allowOvercommit === true) {
        failures.push({
            field: "allowOvercommit",
            message:
                "allowOvercommit is true but fullyPhysicallyBacked is true, which needs physically backed memory " +
                "(hcsshim sets AllowOvercommit to false for fully physically backed VMs); drop allowOvercommit or set it to false",
        });
        return failures;
    }
    if (allowGiven && values.allowOvercommit === undefined) return failures; // its own failure already says why
    const allowOvercommit = values.allowOvercommit ?? !physical;
    if (values.enableDeferredCommit === true && !allowOvercommit) {
        const why =
            allowGiven
                ? "allowOvercommit is false; set allowOvercommit: true or drop enableDeferredCommit"
                : "allowOvercommit is false because fullyPhysicallyBacked is true; drop enableDeferredCommit, or drop fullyPhysicallyBacked";
        failures.push({ field: "enableDeferredCommit", message: `${DEFERRED_COMMIT_MESSAGE} (${why})` });
    }
    return failures;
}

/** Adoption takes over the compute system named by computeSystemId, so it needs one. */
function checkAdoptionTarget(input: ReadonlyMap<string, unknown>, values: CheckedValues): ValidationFailure[] {
    if (values.adoptExisting !== true || input.get("computeSystemId") !== undefined) return [];
    return [{
        field: "adoptExisting",
        message: "adoptExisting needs the ID of the compute system to take over; set computeSystemId, or drop adoptExisting",
    }];
}

/**
 * The high MMIO region, base plus size, must end within the guest physical address space
 * (PHYSICAL_ADDRESS_LIMIT_IN_MB); each bound alone is checked by its range. A 0 leaves that value to
 * the platform, whose choice we cannot add up, so the rule applies only when both are set.
 */
function checkHighMmioRegion(values: CheckedValues): ValidationFailure[] {
    const base = values.highMMIOBaseInMB ?? 0;
    const gap = values.highMMIOGapInMB ?? 0;
    if (base === 0 || gap === 0 || base + gap <= PHYSICAL_ADDRESS_LIMIT_IN_MB) return [];
    return [{
        field: "highMMIOGapInMB",
        message:
            `the high MMIO region would end at ${base + gap} MB (highMMIOBaseInMB ${base} + highMMIOGapInMB ${gap}), past ` +
            `${PHYSICAL_ADDRESS_LIMIT_IN_MB} MB (2^52 bytes, the most an x86-64 processor can address); lower the base or the gap`,
    }];
}
