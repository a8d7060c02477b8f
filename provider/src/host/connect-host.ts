import { type HostTarget, parseHostTarget, simulatorAddressOf } from "../model/host-target";
import { isWindows } from "../platform";
import { connectLocalHost, localHostIdentity } from "./local-host";
import { connectSimulatedHost, simulatedHostIdentity } from "./simulated-host";
import type { TargetHost } from "./target-host";
import { directVmHost } from "./direct-vm-host";
import type { VmHost } from "./vm-host";

/** The environment variable naming the default host (DESIGN §3.9). */
export const DEFAULT_HOST_ENV = "PULUMI_HCS_HOST";

/** The host a resource targets when its `host` input is not set: `PULUMI_HCS_HOST`, else `local` on Windows. */
export function defaultHostName(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const fromEnv = env[DEFAULT_HOST_ENV]?.trim();
    if (fromEnv) return fromEnv;
    return isWindows ? "local" : undefined;
}

const connected = new Map<string, Promise<TargetHost>>();

/**
 * Connects to the host a `host` value names, once per process: every resource on the same host
 * shares the binding, the host facts and the file system view.
 * @throws Error when the value is not a host this provider knows, or the host cannot be reached.
 */
export function connectHost(hostText: string): Promise<TargetHost> {
    return oncePerHost(connected, hostText, (target, text) => {
        if (target.kind === "agent") {
            return Promise.reject(new Error(`Cannot act on '${text}' directly: it is a host agent, which owns its host's VMs; this needs the host itself (local, or sim:)`));
        }
        return target.kind === "local" ? Promise.resolve().then(connectLocalHost) : connectSimulatedHost(text, simulatorAddressOf(target));
    });
}

/**
 * `connect`'s promise for a `host` value, made once per normalized value and process; a failed
 * connection is not kept, so the next resource (or a retry) tries again.
 */
function oncePerHost<T>(cache: Map<string, Promise<T>>, hostText: string, connect: (target: HostTarget, text: string) => Promise<T>): Promise<T> {
    const parsed = parseHostTarget(hostText);
    if (!parsed.ok) return Promise.reject(new Error(`Cannot connect to host '${hostText}': ${parsed.reason}`));
    let host = cache.get(parsed.text);
    if (!host) {
        host = connect(parsed.target, parsed.text);
        host.catch(() => cache.delete(parsed.text));
        cache.set(parsed.text, host);
    }
    return host;
}

/**
 * The identity of the host a `host` value names (TargetHost.identity), without connecting this
 * process to it: a caller choosing between addresses (pulumi/state-host.ts) asks each before
 * connecting to the right one, since a process talks to one simulated host only.
 * @throws Error when the value is not a host this provider knows, or the host cannot be reached.
 */
export function hostIdentityAt(hostText: string): Promise<string | undefined> {
    const parsed = parseHostTarget(hostText);
    if (!parsed.ok) return Promise.reject(new Error(`Cannot connect to host '${hostText}': ${parsed.reason}`));
    const target = parsed.target;
    if (target.kind === "local") return Promise.resolve(localHostIdentity());
    if (target.kind === "agent") return connectVmHost(parsed.text).then((host) => host.identity);
    return simulatedHostIdentity(simulatorAddressOf(target));
}

const vmHosts = new Map<string, Promise<VmHost>>();

/**
 * Where the Pulumi layer sends a resource's operations (host/vm-host.ts): a host agent for
 * `grpcs://`, else the host itself (connectHost), once per process.
 * @throws Error when the value is not a host this provider knows, or the host cannot be reached.
 */
export function connectVmHost(hostText: string): Promise<VmHost> {
    return oncePerHost(vmHosts, hostText, async (target, text) => {
        if (target.kind !== "agent") return directVmHost(await connectHost(text));
        // Loaded for agent hosts only: gRPC stays out of a provider that never meets one.
        const [{ agentVmHost }, { AgentClient }] = await Promise.all([import("../agent/agent-vm-host"), import("../agent/agent-client")]);
        return agentVmHost(new AgentClient(text, target.hostname, target.port));
    });
}
