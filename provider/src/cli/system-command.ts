import { parseArgs, type ParseArgsConfig } from "node:util";
import type { AgentClient } from "../agent/agent-client";
import type { WireVm } from "../agent/api";
import type { ComputeSystem } from "../hcs";
import type { TargetHost } from "../host/target-host";
import { closeTarget, type CommandTarget, connectCommandTarget } from "./host-option";
import { openByIdOrPrefix } from "./open-by-id-prefix";

/** The options every one-system command takes, besides its own. */
const COMMON_OPTIONS = { host: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

type OptionValues = Record<string, string | boolean | undefined>;

/** What a one-system command does, on a host reached directly and through a host agent. */
export interface SystemActions {
    /** On the open compute system (the handle is closed afterwards). */
    readonly direct: (system: ComputeSystem, values: OptionValues, host: TargetHost) => Promise<string>;
    /** On the VM as the agent reported it (GetVm or ListVms). */
    readonly agent: (vm: WireVm, values: OptionValues, agent: AgentClient) => Promise<string>;
}

/**
 * Runs a command that acts on one compute system by ID or unique ID prefix (`inspect`, `rm`):
 * parses `ID` and the options (exit 2 on bad usage), finds the system on the `--host` (opening it,
 * or asking the host agent), runs the action, and prints what it returns (exit 0) or why it failed
 * (exit 1: no such system, an ambiguous prefix, HCS or the agent refused, or no credentials).
 */
export async function runSystemCommand<O extends NonNullable<ParseArgsConfig["options"]>>(
    name: string,
    help: string,
    args: string[],
    options: O,
    actions: SystemActions,
): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args, allowPositionals: true, options: { ...COMMON_OPTIONS, ...options } });
    } catch (err) {
        process.stderr.write(`pulumi-hcs ${name}: ${(err as Error).message}\n\n${help}`);
        return 2;
    }
    const values = parsed.values as OptionValues;
    if (values.help) {
        process.stdout.write(help);
        return 0;
    }
    const [id, ...extra] = parsed.positionals;
    if (id === undefined || id === "" || extra.length > 0) {
        process.stderr.write(`pulumi-hcs ${name}: give exactly one compute-system ID\n\n${help}`);
        return 2;
    }
    let target: CommandTarget | undefined;
    try {
        target = await connectCommandTarget(typeof values.host === "string" ? values.host : undefined);
        process.stdout.write(await act(target, id, values, actions));
        return 0;
    } catch (err) {
        process.stderr.write(`pulumi-hcs ${name}: ${(err as Error).message}\n`);
        return 1;
    } finally {
        closeTarget(target);
    }
}

async function act(target: CommandTarget, id: string, values: OptionValues, actions: SystemActions): Promise<string> {
    if (target.kind === "agent") {
        // Loaded only here: the gRPC stack is not needed to reach a host directly.
        const { findAgentVm } = await import("./find-agent-vm");
        return actions.agent(await findAgentVm(target.agent, id), values, target.agent);
    }
    const system = await openByIdOrPrefix(target.host, id);
    try {
        return await actions.direct(system, values, target.host);
    } finally {
        await system.close();
    }
}
