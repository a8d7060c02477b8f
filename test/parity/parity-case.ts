import { FIELDS } from "../../provider/src/model/fields";
import { ownerFor, pathsAsWeLookAtThem } from "../../provider/src/model/hcsshim-differences";

/**
 * One input the parity tier gives both hcsshim's CreateWCOW and pulumi-hcs (docs/parity.md): a host,
 * the files on its C:\, and WcowUtilityVm inputs.
 */
export interface ParityCase {
    /** Unique within a run, usable in file names. */
    readonly name: string;
    readonly origin: "golden" | "random";
    readonly host: {
        /** What HCS reports as the host's logical processors (ProcessorTopology). */
        readonly logicalProcessors: number;
        /** The Windows build the host reports. */
        readonly build: number;
        /** CPUs in the creating process's affinity: hcsshim's default processor count follows them. */
        readonly creatorProcessors: number;
    };
    /** Windows paths that exist before the create; a path ending in `\` is a folder, any other an empty file. */
    readonly files: readonly string[];
    /** WcowUtilityVm inputs as a program writes them (a number too large for JavaScript arrives rounded). */
    readonly args: Readonly<Record<string, unknown>>;
    /** The exact decimal of integer inputs JavaScript cannot hold (uint64 above 2^53), for hcsshim. */
    readonly exact?: Readonly<Record<string, string>>;
}

/** hcsshim's OptionsWCOW field for each input that has one ("Options.MemorySizeInMB" -> MemorySizeInMB). */
const OPTION_FIELDS: ReadonlyMap<string, string> = new Map(
    FIELDS.flatMap((f) => {
        const match = /^Options(?:WCOW)?\.(\w+)$/.exec(f.hcsshim ?? "");
        return match ? [[f.name, match[1]!] as const] : [];
    }),
);

/**
 * The OptionsWCOW fields hcsshim's caller sets for these inputs, after `NewDefaultOptionsWCOW(id, owner)`:
 * each input given, under its hcsshim name; nothing else, so hcsshim's own defaults apply. Two
 * convention is hcsshim's callers': a fully physically backed VM does not overcommit unless told
 * (hcsshim's annotation handler sets AllowOvercommit=false with FullyPhysicallyBacked). Two are our
 * deliberate differences: the owner is ours when not given (`owner-default`), and the paths hcsshim
 * looks at come as we look at them (`paths-as-normalized`).
 */
export function hcsshimOptions(c: ParityCase): { id: string; owner: string; options: Record<string, unknown> } {
    const options: Record<string, unknown> = {};
    for (const [input, value] of Object.entries(c.args)) {
        const field = OPTION_FIELDS.get(input);
        if (field === undefined || field === "ID" || field === "Owner" || value === undefined || value === null) continue;
        options[field] = c.exact?.[input] ?? value;
    }
    if (c.args.fullyPhysicallyBacked === true && c.args.allowOvercommit === undefined) options.AllowOvercommit = false;
    const paths = pathsAsWeLookAtThem(c.args);
    if (paths.layerFolders !== undefined) options.LayerFolders = paths.layerFolders;
    if (paths.dumpDirectoryPath !== undefined) options.DumpDirectoryPath = paths.dumpDirectoryPath;
    const id = c.args.computeSystemId;
    if (typeof id !== "string") throw new Error(`parity case ${c.name} must set computeSystemId: the ID names the dump files, so both sides need the same`);
    return { id, owner: ownerFor(c.args), options };
}
