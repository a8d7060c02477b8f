import { type ComputeSystem, isNotFound } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { soleIdStartingWith } from "./id-prefix";

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
    const ids = (await host.hcs.enumerateComputeSystems()).map((p) => p.Id);
    const match = soleIdStartingWith(ids, text, { noun: "compute system", plural: "compute-system IDs", place: "on this host" });
    try {
        return await host.hcs.openComputeSystem(match);
    } catch (err) {
        if (isNotFound(err)) throw new Error(`compute system '${match}' (the one ID starting with '${text}') went away before it could be opened`, { cause: err });
        throw err;
    }
}
