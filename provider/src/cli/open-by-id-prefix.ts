import { type ComputeSystem, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";

/** How many matching IDs an ambiguous-prefix error lists before it says "and N more". */
const LISTED_MATCHES = 10;

/**
 * Opens the compute system an operator named by its ID or by a prefix of it, like `docker rm 3f2`.
 * The ID as given wins; otherwise exactly one system's ID may start with the text (compared without
 * case, as HCS compares IDs).
 * @throws Error naming the text when no system matches, or listing the matches when several do.
 */
export async function openByIdOrPrefix(host: TargetHost, text: string): Promise<ComputeSystem> {
    try {
        return await host.hcs.openComputeSystem(text);
    } catch (err) {
        if (!isNotFound(err)) throw err;
    }
    const wanted = text.toLowerCase();
    const matches = (await host.hcs.enumerateComputeSystems()).map((p) => p.Id).filter((id) => id.toLowerCase().startsWith(wanted)).sort();
    if (matches.length === 0) {
        throw new Error(`no compute system '${text}' on this host: no ID is or starts with it (\`pulumi-hcs ps\` lists them)`);
    }
    if (matches.length > 1) {
        const listed = matches.slice(0, LISTED_MATCHES).join(", ");
        const more = matches.length > LISTED_MATCHES ? ` and ${matches.length - LISTED_MATCHES} more` : "";
        throw new Error(`'${text}' is ambiguous: ${matches.length} compute-system IDs start with it (${listed}${more}); give more of the ID`);
    }
    try {
        return await host.hcs.openComputeSystem(matches[0]!);
    } catch (err) {
        if (isNotFound(err)) throw new Error(`compute system '${matches[0]}' (the one ID starting with '${text}') went away before it could be opened`, { cause: err });
        throw err;
    }
}
