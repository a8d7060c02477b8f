import * as grpc from "@grpc/grpc-js";
import { AgentCallError, type AgentClient } from "../agent/agent-client";
import type { WireVm } from "../agent/api";
import { soleIdStartingWith } from "./id-prefix";

/**
 * The VM an operator named on a host agent, by its ID (GetVm, which also finds a VM on the host the
 * agent did not create) or by a prefix only one of the agent's VMs starts with (ListVms), as
 * open-by-id-prefix.ts does on a host reached directly.
 * @throws Error naming the text and the agent when no VM matches, or listing the matches when
 *   several do; AgentCallError when the agent refuses or cannot be reached.
 */
export async function findAgentVm(agent: AgentClient, text: string): Promise<WireVm> {
    try {
        return await agent.call<WireVm>("GetVm", { id: text });
    } catch (err) {
        if (!(err instanceof AgentCallError && err.code === grpc.status.NOT_FOUND)) throw err;
    }
    const { vms } = await agent.call<{ vms: WireVm[] }>("ListVms", {});
    const match = soleIdStartingWith(vms.map((vm) => vm.id), text, { noun: "VM", plural: "VM IDs", place: `on host agent ${agent.name}` });
    return vms.find((vm) => vm.id === match)!;
}
