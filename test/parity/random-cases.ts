import fc from "fast-check";
import type { ParityCase } from "./parity-case";

/**
 * Random parity cases (docs/parity.md): fast-check arbitraries that cover every OptionsWCOW field we
 * offer, builds on both sides of 19043, processor counts above the host's, odd and huge memory
 * sizes, dump directories that exist, are files or are missing, layer sets with and without a usable
 * UtilityVM, and spellings of drive letters, separators and GUIDs. Seeded: one seed and one count
 * always give the same cases.
 */

/** The hosts cases run on: few distinct values, as each (build, processors) pair costs a simulator. */
export const RANDOM_BUILDS = [17763, 19042, 19043, 20348, 26100] as const;
export const RANDOM_LOGICAL_PROCESSORS = [1, 2, 4, 64] as const;

const INT32_MAX = 2 ** 31 - 1;
const UINT64_MAX = 2n ** 64n - 1n;

/** A Windows path spelled the ways users write one: drive letter case, `/` or `\`, a trailing separator. */
interface Spelling {
    readonly drive: "C:" | "c:";
    readonly slash: "\\" | "/";
    readonly trailing: boolean;
}

const spellingArb: fc.Arbitrary<Spelling> = fc.record({
    drive: fc.constantFrom<"C:" | "c:">("C:", "C:", "c:"),
    slash: fc.constantFrom<"\\" | "/">("\\", "\\", "\\", "/"),
    trailing: fc.boolean(),
});

/** `C:\a\b` spelled as `s` says; `names` are the folders below the drive. */
function spell(names: readonly string[], s: Spelling): string {
    return `${s.drive}${s.slash}${names.join(s.slash)}${s.trailing ? s.slash : ""}`;
}

/** The canonical spelling the case's files use (files are laid out by path, so any spelling is fine there). */
function canonical(names: readonly string[]): string {
    return `C:\\${names.join("\\")}`;
}

/** What one read-only layer folder holds. */
type LayerShape = "uvm" | "uvm-no-template" | "uvm-template-folder" | "uvm-is-file" | "plain" | "missing";

/** What the scratch folder (the last layer folder) is before the create. */
type ScratchShape = "missing" | "empty" | "has-sandbox" | "is-file" | "parent-is-file";

/** What dumpDirectoryPath names. */
type DumpShape = "folder" | "file" | "missing";

const GUID_SPELLINGS = ["lower", "upper", "braced", "braced-upper", "mixed"] as const;

function spellGuid(guid: string, how: (typeof GUID_SPELLINGS)[number]): string {
    switch (how) {
        case "lower":
            return guid.toLowerCase();
        case "upper":
            return guid.toUpperCase();
        case "braced":
            return `{${guid.toLowerCase()}}`;
        case "braced-upper":
            return `{${guid.toUpperCase()}}`;
        case "mixed":
            return guid.replace(/[a-f]/g, (c, i: number) => (i % 2 === 0 ? c.toUpperCase() : c));
    }
}

/** An optional input: absent about half the time. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

/** Memory sizes: everyday, odd, zero, at and past our 240 TB bound, past 2^53, and 2^64-1 (which hcsshim's rounding wraps to 0). */
const memoryArb: fc.Arbitrary<bigint> = fc.oneof(
    { weight: 6, arbitrary: fc.bigInt({ min: 1n, max: 65536n }) },
    { weight: 2, arbitrary: fc.constantFrom(0n, 1n, 1023n, 1025n, 251658239n, 251658240n, 251658241n) },
    { weight: 2, arbitrary: fc.bigInt({ min: 251658241n, max: 2n ** 53n }) },
    { weight: 1, arbitrary: fc.constantFrom(2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, UINT64_MAX) },
);

const mmioArb = (max: number): fc.Arbitrary<number> =>
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: max + 1, max: max * 4 + 4 }) });

const ownerArb = fc.constantFrom("pulumi-hcs", "containerd-shim-runhcs-v1.exe", "build agent 7", "a<b>&c", "Überprüfung ✓", "line\u2028separator");
const cpuGroupArb = fc.record({ guid: fc.uuid(), spelling: fc.constantFrom(...GUID_SPELLINGS) });
const processDumpLocationArb = fc.constantFrom("C:\\dumps", "C:\\ProgramData\\dumps", "d:\\crash\\procs");
const networkConfigProxyArb = fc.constantFrom("\\\\.\\pipe\\ncproxy", "127.0.0.1:6669");

/** Processor counts: around the host's count (and above it), plus 0 and negatives, which hcsshim passes through. */
const processorCountArb: fc.Arbitrary<number> = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, INT32_MAX) },
);

/** Anything: every shape of layers, scratch and dump directory, values in and out of our ranges. */
const wildCaseArb = (creatorChoices: readonly number[]) =>
    fc.record({
        build: fc.constantFrom(...RANDOM_BUILDS),
        logicalProcessors: fc.constantFrom(...RANDOM_LOGICAL_PROCESSORS),
        creatorProcessors: fc.constantFrom(...creatorChoices),
        id: fc.uuid({ version: 4 }),
        layers: fc.array(
            fc.record({ shape: fc.constantFrom<LayerShape>("uvm", "uvm", "uvm", "uvm-no-template", "uvm-template-folder", "uvm-is-file", "plain", "missing"), spelling: spellingArb }),
            { minLength: 0, maxLength: 3 },
        ),
        scratch: fc.record({ shape: fc.constantFrom<ScratchShape>("missing", "missing", "missing", "empty", "has-sandbox", "is-file", "parent-is-file"), spelling: spellingArb }),
        owner: maybe(ownerArb),
        memory: maybe(memoryArb),
        allowOvercommit: maybe(fc.boolean()),
        enableDeferredCommit: maybe(fc.boolean()),
        fullyPhysicallyBacked: maybe(fc.boolean()),
        lowMMIOGapInMB: maybe(mmioArb(4095)),
        highMMIOBaseInMB: maybe(mmioArb(2 ** 32 - 1)),
        highMMIOGapInMB: maybe(mmioArb(2 ** 32 - 1)),
        processorCount: maybe(processorCountArb),
        processorLimit: maybe(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 100_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 100_001, max: INT32_MAX }) })),
        processorWeight: maybe(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 10_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 10_001, max: INT32_MAX }) })),
        storageQoSIopsMaximum: maybe(fc.integer({ min: 0, max: INT32_MAX })),
        storageQoSBandwidthMaximum: maybe(fc.integer({ min: 0, max: INT32_MAX })),
        cpuGroup: maybe(cpuGroupArb),
        disableCompartmentNamespace: maybe(fc.boolean()),
        processDumpLocation: maybe(processDumpLocationArb),
        dump: maybe(fc.record({ shape: fc.constantFrom<DumpShape>("folder", "folder", "file", "missing"), spelling: spellingArb })),
        scsiControllerCount: maybe(fc.constantFrom(1, 1, 1, 0, 2, 4)),
        noDirectMap: maybe(fc.boolean()),
        noInheritHostTimezone: maybe(fc.boolean()),
        noWritableFileShares: maybe(fc.boolean()),
        networkConfigProxy: maybe(networkConfigProxyArb),
        terminateOnLastHandleClosed: maybe(fc.boolean()),
    });

/**
 * Cases CreateWCOW should accept: a layer with a complete UtilityVM, a scratch folder it can use, an
 * existing dump directory, every value in range and no contradiction between inputs. Most documents
 * come from here: every field still varies, spellings included.
 */
const cleanCaseArb = (creatorChoices: readonly number[]) =>
    fc
        .record({
            build: fc.constantFrom(...RANDOM_BUILDS),
            logicalProcessors: fc.constantFrom(...RANDOM_LOGICAL_PROCESSORS),
            creatorProcessors: fc.constantFrom(...creatorChoices),
            id: fc.uuid({ version: 4 }),
            above: fc.array(fc.record({ shape: fc.constantFrom<LayerShape>("plain", "missing", "uvm"), spelling: spellingArb }), { maxLength: 2 }),
            base: fc.record({ shape: fc.constant<LayerShape>("uvm"), spelling: spellingArb }),
            scratch: fc.record({ shape: fc.constantFrom<ScratchShape>("missing", "missing", "empty", "has-sandbox"), spelling: spellingArb }),
            owner: maybe(ownerArb),
            memory: maybe(fc.oneof({ weight: 5, arbitrary: fc.bigInt({ min: 1n, max: 65536n }) }, { weight: 1, arbitrary: fc.bigInt({ min: 65537n, max: 251658240n }) })),
            backing: fc.constantFrom("default", "overcommit", "deferred", "physical", "fully-physical", "fully-physical-explicit"),
            lowMMIOGapInMB: maybe(fc.integer({ min: 0, max: 4095 })),
            highMMIO: maybe(fc.record({ base: fc.integer({ min: 0, max: 2 ** 31 }), gap: fc.integer({ min: 0, max: 2 ** 31 }) })),
            processorCount: maybe(fc.integer({ min: 1, max: 80 })),
            processorLimit: maybe(fc.integer({ min: 0, max: 100_000 })),
            processorWeight: maybe(fc.integer({ min: 0, max: 10_000 })),
            storageQoSIopsMaximum: maybe(fc.integer({ min: 0, max: INT32_MAX })),
            storageQoSBandwidthMaximum: maybe(fc.integer({ min: 0, max: INT32_MAX })),
            cpuGroup: maybe(cpuGroupArb),
            disableCompartmentNamespace: maybe(fc.boolean()),
            processDumpLocation: maybe(processDumpLocationArb),
            dumpSpelling: maybe(spellingArb),
            scsiControllerCount: maybe(fc.constant(1)),
            noDirectMap: maybe(fc.boolean()),
            noInheritHostTimezone: maybe(fc.boolean()),
            noWritableFileShares: maybe(fc.boolean()),
            networkConfigProxy: maybe(networkConfigProxyArb),
            terminateOnLastHandleClosed: maybe(fc.boolean()),
        })
        .map(({ above, base, backing, highMMIO, dumpSpelling, build, cpuGroup, ...rest }): Drawn => ({
            ...rest,
            build,
            layers: [...above, base],
            allowOvercommit: backing === "overcommit" || backing === "deferred" ? true : backing === "physical" || backing === "fully-physical-explicit" ? false : undefined,
            enableDeferredCommit: backing === "deferred" ? true : undefined,
            fullyPhysicallyBacked: backing === "fully-physical" || backing === "fully-physical-explicit" ? true : undefined,
            highMMIOBaseInMB: highMMIO?.base,
            highMMIOGapInMB: highMMIO?.gap,
            // A CPU group needs build 19043 (both refuse it before): clean cases keep it to those builds.
            cpuGroup: build >= 19043 ? cpuGroup : undefined,
            dump: dumpSpelling === undefined ? undefined : { shape: "folder" as DumpShape, spelling: dumpSpelling },
        }));

const caseArb = (creatorChoices: readonly number[]): fc.Arbitrary<Drawn> =>
    fc.oneof(
        { weight: 3, arbitrary: cleanCaseArb(creatorChoices) as fc.Arbitrary<Drawn> },
        { weight: 2, arbitrary: wildCaseArb(creatorChoices) as fc.Arbitrary<Drawn> },
    );

/** What both arbitraries draw, before it becomes a case. */
interface Drawn {
    readonly build: number;
    readonly logicalProcessors: number;
    readonly creatorProcessors: number;
    readonly id: string;
    readonly layers: readonly { readonly shape: LayerShape; readonly spelling: Spelling }[];
    readonly scratch: { readonly shape: ScratchShape; readonly spelling: Spelling };
    readonly owner: string | undefined;
    readonly memory: bigint | undefined;
    readonly allowOvercommit: boolean | undefined;
    readonly enableDeferredCommit: boolean | undefined;
    readonly fullyPhysicallyBacked: boolean | undefined;
    readonly lowMMIOGapInMB: number | undefined;
    readonly highMMIOBaseInMB: number | undefined;
    readonly highMMIOGapInMB: number | undefined;
    readonly processorCount: number | undefined;
    readonly processorLimit: number | undefined;
    readonly processorWeight: number | undefined;
    readonly storageQoSIopsMaximum: number | undefined;
    readonly storageQoSBandwidthMaximum: number | undefined;
    readonly cpuGroup: { readonly guid: string; readonly spelling: (typeof GUID_SPELLINGS)[number] } | undefined;
    readonly disableCompartmentNamespace: boolean | undefined;
    readonly processDumpLocation: string | undefined;
    readonly dump: { readonly shape: DumpShape; readonly spelling: Spelling } | undefined;
    readonly scsiControllerCount: number | undefined;
    readonly noDirectMap: boolean | undefined;
    readonly noInheritHostTimezone: boolean | undefined;
    readonly noWritableFileShares: boolean | undefined;
    readonly networkConfigProxy: string | undefined;
    readonly terminateOnLastHandleClosed: boolean | undefined;
}

/** The arbitrary of whole parity cases, named `random-<index>` by the caller. */
export function parityCaseArbitrary(creatorChoices: readonly number[]): fc.Arbitrary<Omit<ParityCase, "name">> {
    return caseArb(creatorChoices).map(toCase);
}

/** `count` random cases from `seed`, named `random-0000`…, the same ones for the same seed and count. */
export function randomCases(seed: number, count: number, creatorChoices: readonly number[]): ParityCase[] {
    return fc.sample(parityCaseArbitrary(creatorChoices), { seed, numRuns: count }).map((c, index) => ({
        name: `random-${String(index).padStart(4, "0")}`,
        ...c,
    }));
}

function toCase(d: Drawn): Omit<ParityCase, "name"> {
    const files: string[] = [];
    const layerFolders: string[] = [];
    d.layers.forEach((layer, i) => {
        const names = ["layers", `layer${i}`];
        layerFolders.push(spell(names, layer.spelling));
        const root = canonical(names);
        switch (layer.shape) {
            case "uvm":
                files.push(`${root}\\UtilityVM\\Files\\`, `${root}\\UtilityVM\\SystemTemplate.vhdx`);
                break;
            case "uvm-no-template":
                files.push(`${root}\\UtilityVM\\Files\\`);
                break;
            case "uvm-template-folder":
                files.push(`${root}\\UtilityVM\\SystemTemplate.vhdx\\`);
                break;
            case "uvm-is-file":
                files.push(`${root}\\UtilityVM`);
                break;
            case "plain":
                files.push(`${root}\\Files\\`);
                break;
            case "missing":
                break;
        }
    });
    const scratchNames = d.scratch.shape === "parent-is-file" ? ["uvms", "blocked", "vm"] : ["uvms", "vm"];
    layerFolders.push(spell(scratchNames, d.scratch.spelling));
    const scratchRoot = canonical(scratchNames);
    switch (d.scratch.shape) {
        case "empty":
            files.push(`${scratchRoot}\\`);
            break;
        case "has-sandbox":
            files.push(`${scratchRoot}\\sandbox.vhdx`);
            break;
        case "is-file":
            files.push(scratchRoot);
            break;
        case "parent-is-file":
            files.push("C:\\uvms\\blocked");
            break;
        case "missing":
            break;
    }

    const args: Record<string, unknown> = { layerFolders, computeSystemId: d.id };
    const exact: Record<string, string> = {};
    const set = (name: string, value: unknown): void => {
        if (value !== undefined) args[name] = value;
    };
    set("owner", d.owner);
    if (d.memory !== undefined) {
        args.memorySizeInMB = Number(d.memory);
        if (BigInt(Number(d.memory)) !== d.memory) exact.memorySizeInMB = d.memory.toString();
    }
    set("allowOvercommit", d.allowOvercommit);
    set("enableDeferredCommit", d.enableDeferredCommit);
    set("fullyPhysicallyBacked", d.fullyPhysicallyBacked);
    set("lowMMIOGapInMB", d.lowMMIOGapInMB);
    set("highMMIOBaseInMB", d.highMMIOBaseInMB);
    set("highMMIOGapInMB", d.highMMIOGapInMB);
    set("processorCount", d.processorCount);
    set("processorLimit", d.processorLimit);
    set("processorWeight", d.processorWeight);
    set("storageQoSIopsMaximum", d.storageQoSIopsMaximum);
    set("storageQoSBandwidthMaximum", d.storageQoSBandwidthMaximum);
    if (d.cpuGroup !== undefined) args.cpuGroupId = spellGuid(d.cpuGroup.guid, d.cpuGroup.spelling);
    set("disableCompartmentNamespace", d.disableCompartmentNamespace);
    set("processDumpLocation", d.processDumpLocation);
    if (d.dump !== undefined) {
        args.dumpDirectoryPath = spell(["crash"], d.dump.spelling);
        if (d.dump.shape === "folder") files.push("C:\\crash\\");
        if (d.dump.shape === "file") files.push("C:\\crash");
    }
    set("scsiControllerCount", d.scsiControllerCount);
    set("noDirectMap", d.noDirectMap);
    set("noInheritHostTimezone", d.noInheritHostTimezone);
    set("noWritableFileShares", d.noWritableFileShares);
    set("networkConfigProxy", d.networkConfigProxy);
    set("terminateOnLastHandleClosed", d.terminateOnLastHandleClosed);
    return {
        origin: "random",
        host: { logicalProcessors: d.logicalProcessors, build: d.build, creatorProcessors: d.creatorProcessors },
        files,
        args,
        ...(Object.keys(exact).length > 0 ? { exact } : {}),
    };
}
