import { connectVmHost, DEFAULT_HOST_ENV, defaultHostName, hostIdentityAt } from "../host/connect-host";
import type { VmHost } from "../host/vm-host";
import { hostIdOf, type PropertyBag } from "./property-bags";

/**
 * The host a resource in state lives on, for read and delete, which get only the state. When the
 * state records the host's identity (`hostId`), the first address that reaches that host: the one
 * in `PULUMI_HCS_HOST`, then the state's `host`. So a VM whose host is now reached another way (a
 * simulator restarted on another TCP port) is refreshed or destroyed with its new address exported,
 * and an address that now reaches another host is never acted on. A state without `hostId` (written
 * before host IDs, or on a host without one) goes by address, as before: its `host`, else the
 * default host; so does the state's own `host` when that host cannot say who it is.
 * @throws Error when no address reaches the VM's host, naming each address tried and the host it
 *   reached (or why it could not be reached).
 */
export async function connectStateHost(state: PropertyBag, action: string): Promise<VmHost> {
    const stateHost = typeof state.host === "string" ? state.host : defaultHostName();
    const recorded = hostIdOf(state, "hostId");
    if (recorded === undefined) {
        if (stateHost === undefined) throw new Error(`Cannot ${action}: the state names no host and there is no default host here`);
        return connectVmHost(stateHost);
    }
    const fromEnv = process.env[DEFAULT_HOST_ENV]?.trim() || undefined;
    const candidates: { readonly source: string; readonly address: string }[] = [];
    if (fromEnv !== undefined) candidates.push({ source: DEFAULT_HOST_ENV, address: fromEnv });
    if (stateHost !== undefined && stateHost !== fromEnv) candidates.push({ source: "the state's host", address: stateHost });
    if (candidates.length === 0) throw new Error(`Cannot ${action}: the state names no host and there is no default host here`);
    const tried: string[] = [];
    for (const [index, { source, address }] of candidates.entries()) {
        let host: VmHost | undefined;
        let identity;
        try {
            // Addresses before the last are only asked who they are (a process's first simulated
            // connection binds it to that simulator); the last one is connected to at once, as there
            // is nothing left to choose.
            if (index === candidates.length - 1) {
                host = await connectVmHost(address);
                identity = host.identity;
            } else {
                identity = await hostIdentityAt(address);
            }
        } catch (err) {
            tried.push(`${source} '${address}' cannot be reached (${(err as Error).message})`);
            continue;
        }
        // A host that cannot say who it is is taken at the state's own address only, as before host IDs.
        if (identity === recorded || (identity === undefined && address === stateHost)) return host ?? connectVmHost(address);
        tried.push(`${source} '${address}' reaches host ${identity ?? "of unknown identity"}`);
    }
    // Through a host agent, an unreachable address is an agent that is down or credentials that do
    // not work: nothing to do with the stack, which stays as it is until the agent answers again.
    const agents = candidates.filter((c) => /^grpcs:\/\//i.test(c.address)).map((c) => c.address);
    const advice = agents.length > 0
        ? `Start the host agent at ${agents.join(" or ")} (or fix this client's credentials for it: docs/agent.md, Client side); ` +
            `the stack keeps the VM until the agent answers`
        : `Set ${DEFAULT_HOST_ENV} to an address of host ${recorded} (a restarted simulator's new tcp value, say); ` +
            `if that host is gone for good, remove the VM from the stack with \`pulumi state delete\``;
    throw new Error(`Cannot ${action}: it lives on host ${recorded}, and no address given reaches that host: ${tried.join("; ")}. ${advice}`);
}

/**
 * Refuses to act on a host other than the one the state records (`hostId`): `update` reaches the VM
 * through the program's `host`, which diff accepted as the same host, but the address may reach
 * another host by now. Unknown on either side, the address is trusted, as before host IDs.
 * @throws Error naming both hosts.
 */
export function expectStateHost(host: VmHost, state: PropertyBag, action: string): void {
    const recorded = hostIdOf(state, "hostId");
    if (recorded === undefined || host.identity === undefined || host.identity === recorded) return;
    throw new Error(
        `Cannot ${action}: it lives on host ${recorded}, but '${host.name}' now reaches host ${host.identity}; ` +
            `run the update again, so its preview compares the VM's host with the host at '${host.name}' now`,
    );
}
