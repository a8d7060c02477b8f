/**
 * "Host = stack": after any failure and the documented recovery, what the simulated host holds is
 * exactly what the stacks record: one compute system per VM in state (no orphans, no duplicates),
 * each in the state recorded, grants only for those systems, under C:\uvms only their scratch
 * folders, disks and markers (no leaked files), and no Hyper-V socket still bound for a guest.
 */
import fs from "node:fs";
import path from "node:path";
import { type StackState, utilityVms } from "./pulumi-project";
import type { TestHost } from "./simulated-host";

/** What differs between the host and the stacks; empty when they agree. */
export async function hostStackDifferences(host: TestHost, states: readonly StackState[], scratchRoot = "C:\\uvms"): Promise<string[]> {
    const vms = states.flatMap(utilityVms);
    const problems: string[] = [];
    const sim = await host.sim.control.state();
    const recorded = new Map(vms.map((vm) => [vm.id!.toLowerCase(), vm]));
    const seen = new Set<string>();
    for (const system of sim.systems) {
        const key = system.id.toLowerCase();
        if (seen.has(key)) problems.push(`duplicate system ${system.id}`);
        seen.add(key);
        const vm = recorded.get(key);
        if (!vm) {
            problems.push(`orphan: system ${system.id} (${system.state}) is in no stack`);
            continue;
        }
        if (vm.outputs?.runtimeId && vm.outputs.runtimeId !== system.runtimeId) {
            problems.push(`system ${system.id} has runtime ID ${system.runtimeId}, the stack records ${String(vm.outputs.runtimeId)}`);
        }
        if (vm.outputs?.state && vm.outputs.state !== system.state) {
            problems.push(`system ${system.id} is ${system.state}, the stack records ${String(vm.outputs.state)}`);
        }
    }
    for (const id of recorded.keys()) if (!seen.has(id)) problems.push(`missing: the stack records ${id}, the host has no such system`);
    for (const grant of sim.grants) {
        for (const vmId of grant.vmIds) if (!seen.has(vmId.toLowerCase())) problems.push(`leaked grant: ${grant.path} for ${vmId}`);
    }
    problems.push(...leakedFiles(host, vms.map((vm) => vm.outputs ?? {}), scratchRoot));
    // A guest listener lives only while an operation starts a VM; none outlives it.
    for (const socket of sim.hvSockets ?? []) problems.push(`leaked Hyper-V socket: VM ${socket.vmId} service ${socket.serviceId} (pid ${socket.pid ?? "?"})`);
    return problems;
}

/** Files under the scratch root that no VM in state accounts for. */
function leakedFiles(host: TestHost, outputs: readonly Record<string, unknown>[], scratchRoot: string): string[] {
    const expected = new Set<string>();
    for (const out of outputs) {
        if (typeof out.scratchPath !== "string" || out.scratchPath === "") continue;
        const folder = out.scratchPath.slice(0, out.scratchPath.lastIndexOf("\\"));
        expected.add(out.scratchPath.toLowerCase());
        expected.add(`${folder}\\pulumi-hcs.json`.toLowerCase());
        for (let f = folder; f.length > 3; f = f.slice(0, Math.max(3, f.lastIndexOf("\\")))) {
            expected.add(f.toLowerCase());
            expected.add(`${f}\\pulumi-hcs.folder`.toLowerCase());
        }
    }
    const problems: string[] = [];
    const rootNative = path.join(host.sim.root, "fs", "c", ...scratchRoot.slice(3).split("\\"));
    const walk = (native: string, windows: string): void => {
        if (!fs.existsSync(native)) return;
        if (!expected.has(windows.toLowerCase())) problems.push(`leaked: ${windows}`);
        if (!fs.statSync(native).isDirectory()) return;
        for (const name of fs.readdirSync(native)) walk(path.join(native, name), `${windows}\\${name}`);
    };
    walk(rootNative, scratchRoot);
    return problems;
}

/** Fails with every difference listed. */
export async function expectHostMatchesStacks(host: TestHost, states: readonly StackState[], scratchRoot?: string): Promise<void> {
    expect(await hostStackDifferences(host, states, scratchRoot)).toEqual([]);
}
