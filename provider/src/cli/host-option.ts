import { connectHost, DEFAULT_HOST_ENV, defaultHostName } from "../host/connect-host";
import type { TargetHost } from "../host/target-host";

/** The `--host` option shared by the operator commands (ps, inspect, rm). */
export const HOST_OPTION_HELP =
    `  --host HOST   the host: local (this Windows machine), sim:<socket path> or sim:tcp:127.0.0.1:<port>\n` +
    `                (a simulated host; over TCP its secret comes from PULUMI_HCS_SIM_SECRET);\n` +
    `                default: ${DEFAULT_HOST_ENV}, else local on Windows`;

/**
 * Connects to the host an operator command names, or the default host.
 * @throws Error naming the flag and the variable when there is no host to use.
 */
export function connectCommandHost(flag: string | undefined): Promise<TargetHost> {
    const name = flag ?? defaultHostName();
    if (name === undefined) {
        return Promise.reject(new Error(`no host: pass --host sim:<socket path> or set ${DEFAULT_HOST_ENV} (there is no local HCS on ${process.platform})`));
    }
    return connectHost(name);
}
