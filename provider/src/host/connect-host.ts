import { parseHostTarget, simulatorAddressOf } from "../model/host-target";
import { isWindows } from "../platform";
import { connectLocalHost } from "./local-host";
import { connectSimulatedHost } from "./simulated-host";
import type { TargetHost } from "./target-host";

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
    const parsed = parseHostTarget(hostText);
    if (!parsed.ok) return Promise.reject(new Error(`Cannot connect to host '${hostText}': ${parsed.reason}`));
    let host = connected.get(parsed.text);
    if (!host) {
        const target = parsed.target;
        host = target.kind === "local"
            ? Promise.resolve().then(connectLocalHost)
            : connectSimulatedHost(parsed.text, simulatorAddressOf(target));
        // A failed connection is not cached: the next resource (or a retry) tries again.
        host.catch(() => connected.delete(parsed.text));
        connected.set(parsed.text, host);
    }
    return host;
}
