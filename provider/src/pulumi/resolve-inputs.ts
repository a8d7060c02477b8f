import { connectHost, defaultHostName } from "../host/connect-host";
import type { TargetHost } from "../host/target-host";
import { resolveOptions } from "../model/resolve";
import type { ResolvedOptions } from "../model/resolved-options";
import { formatFailure } from "../model/validation-failure";
import { type PropertyBag, withoutProviderKey } from "./property-bags";

/** Checked inputs resolved again for the action about to run, with the host they target. */
export interface ResolvedInputs {
    readonly options: ResolvedOptions;
    readonly host: TargetHost;
}

/**
 * Resolves inputs that `check` already accepted. Normalized values resolve to themselves, so this
 * only guards against inputs that never went through check (or a host whose facts changed since).
 * @throws Error listing every failure, or when the host cannot be reached.
 */
export async function resolveCheckedInputs(inputs: PropertyBag, action: string): Promise<ResolvedInputs> {
    const args = withoutProviderKey(inputs);
    const hostName = typeof args.host === "string" ? args.host : defaultHostName();
    if (hostName === undefined) throw new Error(`Cannot ${action}: the inputs name no host and there is no default host here`);
    const host = await connectHost(hostName);
    const resolved = resolveOptions({ ...args, host: hostName }, await host.facts());
    if (!resolved.ok) throw new Error(`Cannot ${action}: ${resolved.failures.map(formatFailure).join("; ")}`);
    return { options: resolved.options, host };
}

/** The host a resource in state targets (its `host` output, else today's default). */
export function connectStateHost(state: PropertyBag, action: string): Promise<TargetHost> {
    const hostName = typeof state.host === "string" ? state.host : defaultHostName();
    if (hostName === undefined) return Promise.reject(new Error(`Cannot ${action}: the state names no host and there is no default host here`));
    return connectHost(hostName);
}
