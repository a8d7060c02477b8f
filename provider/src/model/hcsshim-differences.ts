import { FIELDS, PHYSICAL_ADDRESS_LIMIT_IN_MB, type FieldName } from "./fields";
import { DEFAULT_OWNER } from "./resolve";
import { parseWindowsPath } from "./windows-path";

/**
 * Where pulumi-hcs deliberately does not do what hcsshim v0.12.9's `CreateWCOW` does, in one place.
 * Everything else follows hcsshim, and the parity tier (test/parity, docs/parity.md) checks that it
 * does by running hcsshim's own code: it applies exactly these differences to what hcsshim produced
 * before comparing, so a difference not listed here fails the comparison.
 */
export interface DeliberateDifference {
    readonly id: DifferenceId;
    /** What we do instead, in one sentence. */
    readonly summary: string;
    /** Why. */
    readonly reason: string;
}

export type DifferenceId =
    | "owner-default"
    | "terminate-on-last-handle-default"
    | "every-failure"
    | "paths-as-normalized"
    | "stricter-inputs";

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
    {
        id: "owner-default",
        summary: `owner defaults to "${DEFAULT_OWNER}", not to the creating executable's file name`,
        reason: "the creating executable is node or pulumi-resource-pulumi-nodejs, which says nothing about who made the VM",
    },
    {
        id: "terminate-on-last-handle-default",
        summary: "ShouldTerminateOnLastHandleClosed is sent only when terminateOnLastHandleClosed is true (hcsshim always sends true)",
        reason: "the provider process exits after every operation; with true, HCS would terminate the VM as it exits",
    },
    {
        id: "every-failure",
        summary:
            "every broken rule is reported at once, each naming its input, with hcsshim's words kept inside; hcsshim returns the first, " +
            `wrapped in "UVM options incorrect: " or "error in preparing config doc: ". pulumi preview (check) does not read the ` +
            "host's files, so inputs that fail there are reported first, and the layer folders, scratch and dump directory at create",
        reason: "one preview shows everything to fix; the input name says where, which hcsshim's wrapper does not",
    },
    {
        id: "paths-as-normalized",
        summary:
            "paths are looked at and quoted in their normalized form (\\ separators, . and .. resolved, no trailing separator); " +
            "hcsshim stats layer folders and the dump directory as written, where a trailing separator makes Windows expect a folder " +
            "(for C:\\crash\\ naming a file it says 'failed to stat dump directory' where we say it 'isn't a directory'; for a scratch " +
            "folder C:\\uvms\\vm\\ naming a file, 'failed to create utility VM scratch folder' where we say the copy cannot go in it), " +
            "and quotes the dump directory as written",
        reason: "every path we check, show and send is the one form HCS gets; the document's paths are the same either way (hcsshim cleans them with filepath.Join)",
    },
    {
        id: "stricter-inputs",
        summary:
            "inputs hcsshim passes on are refused at preview when HCS would refuse them later or hcsshim would silently change them: " +
            "integers outside each input's range (memory 2^64-1 wraps to 0 in hcsshim's rounding and the size disappears; " +
            "memory 0 sends no size; a processor count below 1; limits above 100%), allowOvercommit: true with fullyPhysicallyBacked, " +
            "a high MMIO region past the physical address limit, and paths, names and GUIDs Windows or HCS would not take",
        reason: "a mistake found at preview costs nothing; the same mistake found by HCS at create, or never, costs a broken VM",
    },
];

/** hcsshim's prefixes around a rule's message that we replace by the input's name (`every-failure`). */
export const HCSSHIM_MESSAGE_WRAPPERS: readonly string[] = ["UVM options incorrect: ", "error in preparing config doc: "];

/** The owner hcsshim is given for the same inputs (`owner-default`). */
export function ownerFor(args: Readonly<Record<string, unknown>>): string {
    return typeof args.owner === "string" ? args.owner : DEFAULT_OWNER;
}

const TERMINATE_ON_LAST_HANDLE = `,"ShouldTerminateOnLastHandleClosed":true}`;

/**
 * hcsshim's document as we send it for the same inputs (`terminate-on-last-handle-default`): the
 * closing `ShouldTerminateOnLastHandleClosed` field (the last of ComputeSystem, always true in
 * hcsshim) stays only when `terminateOnLastHandleClosed` is true. Every other byte is hcsshim's.
 *
 * @throws {Error} when the document does not end with that field (not a v0.12.9 UVM document).
 */
export function withOurTerminateOnLastHandle(hcsshimDocument: string, args: Readonly<Record<string, unknown>>): string {
    if (!hcsshimDocument.endsWith(TERMINATE_ON_LAST_HANDLE)) {
        throw new Error(`hcsshim's document does not end with ${TERMINATE_ON_LAST_HANDLE}: ${hcsshimDocument.slice(-120)}`);
    }
    return args.terminateOnLastHandleClosed === true ? hcsshimDocument : `${hcsshimDocument.slice(0, -TERMINATE_ON_LAST_HANDLE.length)}}`;
}

/**
 * hcsshim's own words in one of its refusals: the message without the wrappers we replace by input
 * names (`every-failure`) and without the operating system's text at its end (`osError`, which is
 * Wine's wording under the parity tier and Windows' on a host, never hcsshim's).
 */
export function hcsshimWords(message: string, osError?: string): string {
    let words = message;
    for (const wrapper of HCSSHIM_MESSAGE_WRAPPERS) if (words.startsWith(wrapper)) words = words.slice(wrapper.length);
    if (osError !== undefined && osError !== "" && words.endsWith(`: ${osError}`)) words = words.slice(0, -(osError.length + 2));
    return words;
}

/**
 * The paths hcsshim is given for the same inputs (`paths-as-normalized`): the dump directory
 * normalized, as we look at and quote it; each layer folder as written but for a trailing separator,
 * so its other spellings still reach hcsshim's filepath.Join, which the documents compare.
 */
export function pathsAsWeLookAtThem(args: Readonly<Record<string, unknown>>): { layerFolders?: unknown; dumpDirectoryPath?: string } {
    const paths: { layerFolders?: unknown; dumpDirectoryPath?: string } = {};
    if (Array.isArray(args.layerFolders)) {
        paths.layerFolders = args.layerFolders.map((f: unknown) => (typeof f === "string" && !/^[A-Za-z]:[\\/]+$/.test(f) ? f.replace(/[\\/]+$/, "") : f));
    }
    if (typeof args.dumpDirectoryPath === "string") {
        const parsed = parseWindowsPath(args.dumpDirectoryPath);
        paths.dumpDirectoryPath = parsed.ok ? parsed.path : args.dumpDirectoryPath;
    }
    return paths;
}

/**
 * hcsshim's steps that read the host's files (its words begin with one). pulumi preview does not
 * read them (`every-failure`): when inputs fail there, these come at create.
 */
export const HOST_FILE_STEPS: readonly string[] = [
    "failed to locate utility VM folder from layer folders",
    "failed to create utility VM scratch folder",
    "failed to create scratch",
    "failed to grant vm access to scratch",
    "failed to stat dump directory",
    "dump directory path",
    "failed to add SDL to dump directory",
];

/** Whether hcsshim's words (see hcsshimWords) are a refusal about the host's files. */
export function isHostFileRefusal(words: string): boolean {
    return HOST_FILE_STEPS.some((step) => words.startsWith(step));
}

/** One of our stricter input rules (`stricter-inputs`) that some inputs break. */
export interface StricterRule {
    /** The input our refusal names. */
    readonly field: FieldName;
    readonly rule: string;
}

/**
 * The `stricter-inputs` rules the inputs break: where we refuse at preview what hcsshim accepts. The
 * integer ranges are the field table's; the other rules are the ones between inputs. Values are read
 * as given (a JSON number, or a decimal string for integers beyond JavaScript's exact range).
 */
export function stricterRulesBroken(args: Readonly<Record<string, unknown>>): StricterRule[] {
    const broken: StricterRule[] = [];
    for (const field of FIELDS) {
        if (field.type.kind !== "integer") continue;
        const value = integerOf(args[field.name]);
        if (value === undefined) continue;
        if (value < BigInt(field.type.min) || value > BigInt(field.type.max) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
            broken.push({ field: field.name, rule: `an integer from ${field.type.min} to ${field.type.max}` });
        }
    }
    if (args.fullyPhysicallyBacked === true && args.allowOvercommit === true) {
        broken.push({ field: "allowOvercommit", rule: "not true when fullyPhysicallyBacked is true" });
    }
    const base = integerOf(args.highMMIOBaseInMB) ?? 0n;
    const gap = integerOf(args.highMMIOGapInMB) ?? 0n;
    if (base > 0n && gap > 0n && base + gap > BigInt(PHYSICAL_ADDRESS_LIMIT_IN_MB)) {
        broken.push({ field: "highMMIOGapInMB", rule: "the high MMIO region ends within the physical address limit" });
    }
    return broken;
}

function integerOf(value: unknown): bigint | undefined {
    if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
    if (typeof value === "string" && /^-?[0-9]+$/.test(value)) return BigInt(value);
    return undefined;
}
