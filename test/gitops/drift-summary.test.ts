/**
 * The drift summary (provider/src/gitops/drift-summary.ts) of real `pulumi preview --refresh --json`
 * output (CLI 3.274.1), recorded by test/gitops/fixtures/generate.test.ts from a stack of seven VMs
 * on a simulator: steady; killed (killed through the simulator); limited (the program changed its
 * processorLimit 50000 -> 30000); tuned (its processorLimit changed to 20000 on the host); paused
 * (paused on the host); reowned (made again on the host with another Owner); stuck (left Created by
 * a host that died mid-start). The host's own view, and what a real refresh then wrote into the
 * state, are in preview-refresh-drift.host.json.
 */
import fs from "node:fs";
import path from "node:path";
import { DRIFT_SCHEMA, summarizeDrift, type PreviewOutput } from "../../provider/src/gitops/drift-summary";
import { driftTable } from "../../provider/src/gitops/drift-table";

const FIXTURES = path.join(__dirname, "fixtures");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as PreviewOutput;
const drifted = load("preview-refresh-drift.json");
const clean = load("preview-refresh-clean.json");
interface HostRecord {
    readonly ids: Record<string, string>;
    readonly tunedProcessorOnHost: { Limit: number };
    readonly stateAfterRefresh: Record<string, Record<string, unknown> | string>;
}
const host = JSON.parse(fs.readFileSync(path.join(FIXTURES, "preview-refresh-drift.host.json"), "utf8")) as HostRecord;
const checkedAt = new Date("2025-01-02T03:04:05.000Z");

describe("the drift summary of a real refresh-preview", () => {
    it("a converged stack: no drift, every VM counted unchanged", () => {
        const summary = summarizeDrift(clean, { checkedAt });
        expect(summary).toEqual({
            schema: DRIFT_SCHEMA,
            stack: "test",
            checkedAt: "2025-01-02T03:04:05.000Z",
            drifted: false,
            vms: [],
            counts: { vms: 6, gone: 0, changed: 0, unchanged: 6, unmanaged: 0 },
        });
        expect(driftTable(summary)).toBe("stack test: no drift (6 VMs checked)\n");
    });

    it("a VM killed out of band is gone, with action create, its compute-system ID and host", () => {
        const summary = summarizeDrift(drifted, { checkedAt });
        const killed = summary.vms.find((vm) => vm.name === "killed");
        expect(killed).toEqual({
            urn: "urn:pulumi:test::hcs-test-vms::pulumi-nodejs:dynamic/hcs:WcowUtilityVm::killed",
            name: "killed",
            computeSystemId: host.ids.killed,
            host: expect.stringMatching(/^sim:/),
            drift: "gone",
            action: "create",
            fields: [],
        });
    });

    it("a processorLimit changed in the program: changed, update in place, the field with recorded, actual and desired", () => {
        const limited = summarizeDrift(drifted, { checkedAt }).vms.find((vm) => vm.name === "limited");
        expect(limited).toMatchObject({ drift: "changed", action: "update", computeSystemId: host.ids.limited });
        expect(limited!.fields).toEqual([{ field: "processorLimit", kind: "update", recorded: 50000, actual: 50000, desired: 30000 }]);
    });

    it("what read reports that the program sets: the owner of a VM made again on the host (replace), start of a VM left Created", () => {
        const summary = summarizeDrift(drifted, { checkedAt });
        expect(summary.vms.find((vm) => vm.name === "reowned")).toMatchObject({ drift: "changed", action: "replace", computeSystemId: host.ids.reowned,
            fields: [{ field: "owner", kind: "update-replace", recorded: "pulumi-hcs", actual: "someone-else", desired: "pulumi-hcs" }] });
        expect(summary.vms.find((vm) => vm.name === "stuck")).toMatchObject({ drift: "changed", action: "update", computeSystemId: host.ids.stuck,
            fields: [{ field: "start", kind: "update", recorded: true, actual: false, desired: true }] });
    });

    it("what read cannot see, or sees only as an output, is no drift: a processorLimit changed on the host, a VM paused on the host", () => {
        const summary = summarizeDrift(drifted, { checkedAt });
        expect(summary.vms.map((vm) => vm.name)).toEqual(["killed", "limited", "reowned", "stuck"]);
        expect(summary.counts).toEqual({ vms: 7, gone: 1, changed: 3, unchanged: 3, unmanaged: 0 });
        expect(summary.drifted).toBe(true);
        // The record of the same moment says why: read never reads processor limits back, and a pause
        // lands in the output `state` only, which no diff compares.
        expect(host.tunedProcessorOnHost.Limit).toBe(20000);
        expect(host.stateAfterRefresh.tuned).toMatchObject({ processorLimit: 50000 });
        expect(host.stateAfterRefresh.paused).toMatchObject({ state: "Paused" });
        expect(host.stateAfterRefresh.killed).toBe("dropped (gone)");
    });

    it("prints a table naming each drifted VM and field", () => {
        const table = driftTable(summarizeDrift(drifted, { checkedAt }));
        const lines = table.trimEnd().split("\n");
        expect(lines[0]).toBe("stack test: 4 of 7 VMs drifted (1 gone, 3 changed, 3 unchanged)");
        expect(lines[1]).toMatch(/^NAME +DRIFT +ACTION +COMPUTE SYSTEM +FIELDS$/);
        expect(lines[2]).toMatch(new RegExp(`^killed +gone +create +${host.ids.killed} +-$`));
        expect(lines[3]).toMatch(new RegExp(`^limited +changed +update +${host.ids.limited} +processorLimit 50000 -> 30000$`));
        expect(lines[4]).toMatch(/ owner pulumi-hcs \(host: someone-else\) -> pulumi-hcs \[replace\]$/);
        expect(lines[5]).toMatch(/ start true \(host: false\) -> true$/);
    });
});

describe("steps the fixtures do not hold", () => {
    const VM = "pulumi-nodejs:dynamic/hcs:WcowUtilityVm";
    const urn = (name: string) => `urn:pulumi:prod::pools::${VM}::${name}`;
    const state = (name: string, outputs: Record<string, unknown>) => ({ urn: urn(name), type: VM, id: `id-${name}`, inputs: { host: "sim:x", ...outputs }, outputs: { computeSystemId: `id-${name}`, ...outputs } });

    it("a replacement (replace, create-replacement, delete-replaced) is one VM with action replace and the -replace kind", () => {
        const before = state("a", { owner: "one" });
        const summary = summarizeDrift({
            steps: [
                { op: "refresh", urn: urn("a"), oldState: before, newState: before },
                { op: "create-replacement", urn: urn("a"), oldState: before, newState: { ...before, inputs: { host: "sim:x", owner: "two" } } },
                { op: "replace", urn: urn("a"), oldState: before, newState: { ...before, inputs: { host: "sim:x", owner: "two" } }, detailedDiff: { owner: { kind: "update-replace" } }, replaceReasons: ["owner"] },
                { op: "delete-replaced", urn: urn("a"), oldState: before },
            ],
        }, { checkedAt });
        expect(summary.stack).toBe("prod");
        expect(summary.vms).toEqual([expect.objectContaining({ name: "a", drift: "changed", action: "replace", computeSystemId: "id-a",
            fields: [{ field: "owner", kind: "update-replace", recorded: "one", actual: "one", desired: "two" }] })]);
    });

    it("a VM left in the stack but gone from the program is unmanaged, with action delete", () => {
        const before = state("old", {});
        const summary = summarizeDrift({ steps: [{ op: "refresh", urn: urn("old"), oldState: before, newState: before }, { op: "delete", urn: urn("old"), oldState: before }] }, { checkedAt });
        expect(summary.vms).toEqual([expect.objectContaining({ name: "old", drift: "unmanaged", action: "delete", fields: [] })]);
        expect(summary.counts).toEqual({ vms: 1, gone: 0, changed: 0, unchanged: 0, unmanaged: 1 });
    });

    it("a VM the program adds (never in the state) is changed, not gone; other resource types are left out", () => {
        const summary = summarizeDrift({ steps: [
            { op: "create", urn: urn("new"), newState: { type: VM, inputs: { host: "sim:y", computeSystemId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } } },
            { op: "create", urn: "urn:pulumi:prod::pools::random:index/randomId:RandomId::x", newState: { type: "random:index/randomId:RandomId" } },
        ] }, { checkedAt });
        expect(summary.vms).toEqual([expect.objectContaining({ name: "new", drift: "changed", action: "create", computeSystemId: null, host: "sim:y" })]);
        expect(summary.counts.vms).toBe(1);
    });
});
