import type { AgentClient } from "../agent/agent-client";
import { connectHost, DEFAULT_HOST_ENV, defaultHostName } from "../host/connect-host";
import type { TargetHost } from "../host/target-host";
import { parseHostTarget } from "../model/host-target";

/** The `--host` option shared by the operator commands (ps, inspect, rm). */
export const HOST_OPTION_HELP =
    `  --host HOST   the host: local (this Windows machine), sim:<socket path> or sim:tcp:127.0.0.1:<port>\n` +
    `                (a simulated host; over TCP its secret comes from PULUMI_HCS_SIM_SECRET), or\n` +
    `                grpcs://<name>:<port> (a host agent, through its API; this client's certificate\n` +
    `                from PULUMI_HCS_AGENT_CERT_PATH, a folder with ca.pem, cert.pem and key.pem, default\n` +
    `                ~/.pulumi-hcs/agent, or PULUMI_HCS_AGENT_CA, _CERT and _KEY; PULUMI_HCS_AGENT_PIN\n` +
    `                optionally pins the agent's certificate); default: ${DEFAULT_HOST_ENV}, else local on Windows`;

/**
 * What an operator command acts on: the host itself (through HCS, as `hcsdiag` does), or a host
 * agent, which owns its host's VMs and is asked through its API instead (never around it).
 */
export type CommandTarget =
    | { readonly kind: "direct"; readonly host: TargetHost }
    | { readonly kind: "agent"; readonly agent: AgentClient };

/** The host name `--host` or the default gives. @throws Error naming the flag and the variable when there is none. */
function commandHostName(flag: string | undefined): string {
    const name = flag ?? defaultHostName();
    if (name === undefined) {
        throw new Error(`no host: pass --host sim:<socket path> or set ${DEFAULT_HOST_ENV} (there is no local HCS on ${process.platform}; a host agent is grpcs://<name>:<port>)`);
    }
    return name;
}

/** Whether `--host` (or the default) names a host agent; false for anything else, even a bad name. */
export function namesAgent(flag: string | undefined): boolean {
    const name = flag ?? defaultHostName();
    if (name === undefined) return false;
    const parsed = parseHostTarget(name);
    return parsed.ok && parsed.target.kind === "agent";
}

/**
 * Connects to the host an operator command names, or the default host; for a host agent, a client
 * with this user's credentials (the caller closes it with {@link closeTarget}).
 * @throws Error naming the flag and the variable when there is no host to use, or the credential
 *   variables when they name no readable files.
 */
export async function connectCommandTarget(flag: string | undefined): Promise<CommandTarget> {
    const name = commandHostName(flag);
    const parsed = parseHostTarget(name);
    if (parsed.ok && parsed.target.kind === "agent") {
        // Loaded only here: the gRPC stack is not needed to reach a host directly.
        const { AgentClient } = await import("../agent/agent-client");
        return { kind: "agent", agent: new AgentClient(parsed.text, parsed.target.hostname, parsed.target.port) };
    }
    return { kind: "direct", host: await connectHost(name) };
}

/** Lets the process exit: an agent client's channel would keep it alive. */
export function closeTarget(target: CommandTarget | undefined): void {
    if (target?.kind === "agent") target.agent.close();
}

/**
 * Connects to the host itself, for what only the host's own files and HCS can do (`rm --scratch`).
 * @throws Error naming the flag and the variable when there is no host to use.
 */
export function connectCommandHost(flag: string | undefined): Promise<TargetHost> {
    try {
        return connectHost(commandHostName(flag));
    } catch (err) {
        return Promise.reject(err as Error);
    }
}
