import * as grpc from "@grpc/grpc-js";
import type { VmHost } from "../host/vm-host";
import { log } from "../log/logger";
import { quote } from "../model/characters";
import { pathRootViolations } from "./path-roots";
import type { HostFacts } from "../model/host-facts";
import type { UpdateOutcome } from "../uvm/update";
import { AgentCallError, AgentClient } from "./agent-client";
import type { WireUpdateVmResponse, WireVm } from "./api";
import { observedFromWire, vmFromWire } from "./wire-vm";

/** Options travel as inputs: the agent resolves them again against its host (timeouts go as budgets). */
function specOf(options: object): { inputs_json: string } {
    const { timeouts: _timeouts, ...inputs } = options as Record<string, unknown>;
    return { inputs_json: JSON.stringify(inputs) };
}

/** A deadline a little past the operation's own budget, so the agent's answer (even a timeout) arrives. */
function deadlineFor(budgetMs: number | undefined): number | undefined {
    return budgetMs !== undefined ? budgetMs + 30_000 : undefined;
}

/** A host agent as the provider's VmHost: every operation is a call to the agent, which runs it. */
export async function agentVmHost(client: AgentClient): Promise<VmHost> {
    const info = await client.agentInfo();
    const facts: HostFacts = { logicalProcessors: info.logical_processors, build: info.host_build, creatorProcessors: info.creator_processors };
    return {
        name: client.name,
        identity: info.host_identity !== "" ? info.host_identity : undefined,
        facts: () => Promise.resolve(facts),
        // The agent refuses folders outside its roots; said at preview, in the agent's own words.
        inputProblems: async (options) => (await pathRootViolations(options, { layers: info.layer_roots, scratch: info.scratch_roots, dumps: info.dump_roots }))
            .map((v) => ({ field: v.field, message: `${quote(v.path)} is refused by the host agent ${client.name}: ${v.reason}` })),
        createVm: async (request) => {
            const vm = await client.call<WireVm>("CreateVm", {
                request_id: request.requestId,
                spec: specOf(request.options),
                resource: request.resource ?? "",
                budget_ms: request.budgetMs ?? 0,
            }, { mutation: true, deadlineMs: deadlineFor(request.budgetMs) });
            return vmFromWire(vm);
        },
        refreshVm: async (recorded) => {
            try {
                return observedFromWire(await client.call<WireVm>("GetVm", { id: recorded.computeSystemId }));
            } catch (err) {
                if (!(err instanceof AgentCallError && err.code === grpc.status.NOT_FOUND)) throw err;
            }
            // Gone: its files are released, as the direct path's refresh does.
            try {
                await client.call("DeleteVm", {
                    id: recorded.computeSystemId,
                    runtime_id: recorded.runtimeId,
                    scratch_path: recorded.scratchPath,
                    scratch_created: recorded.scratchCreated,
                }, { mutation: true });
            } catch (err) {
                // A reader (a drift check's credentials) may see that the VM is gone, not clean up after it.
                if (!(err instanceof AgentCallError && err.code === grpc.status.PERMISSION_DENIED)) throw err;
                log.warn({ id: recorded.computeSystemId, agent: client.name }, "the VM is gone; its files stay until an operator's refresh or destroy (this client may not delete)");
            }
            return undefined;
        },
        updateVm: async (request): Promise<UpdateOutcome> => {
            const response = await client.call<WireUpdateVmResponse>("UpdateVm", {
                request_id: request.requestId,
                id: request.id,
                current: { inputs_json: JSON.stringify(request.current) },
                desired: specOf({ ...request.desired, ...(request.noInheritHostTimezone !== undefined ? { noInheritHostTimezone: request.noInheritHostTimezone } : {}) }),
                budget_ms: request.budgetMs ?? 0,
            }, { mutation: true, deadlineMs: deadlineFor(request.budgetMs) });
            const vm = response.vm !== null ? vmFromWire(response.vm) : undefined;
            const started = response.applied.includes("start") && vm !== undefined;
            return {
                applied: response.applied as UpdateOutcome["applied"],
                failures: response.failures.map((f) => ({ field: f.field as UpdateOutcome["failures"][number]["field"], message: f.message })),
                state: vm?.state ?? (request.current.state),
                ...(started ? { guest: { guestConnection: vm.guestConnection, ...(vm.guestOsType !== undefined ? { guestOsType: vm.guestOsType } : {}), ...(vm.guestProtocolVersion !== undefined ? { guestProtocolVersion: vm.guestProtocolVersion } : {}) } } : {}),
            };
        },
        deleteVm: async (request) => {
            await client.call("DeleteVm", {
                request_id: request.requestId,
                id: request.state.computeSystemId,
                runtime_id: request.state.runtimeId,
                resource: request.resource ?? "",
                budget_ms: request.budgetMs ?? 0,
                scratch_path: request.state.scratchPath,
                scratch_created: request.state.scratchCreated,
            }, { mutation: true, deadlineMs: deadlineFor(request.budgetMs) });
        },
    };
}
