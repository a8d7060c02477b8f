import { connectVmHost, defaultHostName } from "../host/connect-host";
import type { VmHost } from "../host/vm-host";
import { resolveOptions } from "../model/resolve";
import type { ResolvedOptions } from "../model/resolved-options";
import { formatFailure } from "../model/validation-failure";
import { programInputsOf, type PropertyBag } from "./property-bags";

/** Checked inputs resolved again for the action about to run, with the host they target. */
export interface ResolvedInputs {
    readonly options: ResolvedOptions;
    readonly host: VmHost;
}

/**
 * Resolves inputs that `check` already accepted. Normalized values resolve to themselves, so this
 * only guards against inputs that never went through check (or a host whose facts changed since).
 * @throws Error listing every failure, or when the host cannot be reached.
 */
export async function resolveCheckedInputs(inputs: PropertyBag, action: string): Promise<ResolvedInputs> {
    // A computeSystemId check filled in is a prediction: create derives the ID itself (identity.ts).
    const args = programInputsOf(inputs);
    const hostName = typeof args.host === "string" ? args.host : defaultHostName();
    if (hostName === undefined) throw new Error(`Cannot ${action}: the inputs name no host and there is no default host here`);
    const host = await connectVmHost(hostName);
    const resolved = resolveOptions({ ...args, host: hostName }, await host.facts());
    if (!resolved.ok) throw new Error(`Cannot ${action}: ${resolved.failures.map(formatFailure).join("; ")}`);
    return { options: resolved.options, host };
}
