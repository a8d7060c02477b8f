/**
 * The drift summary (provider/src/gitops/drift-summary.ts) of real `pulumi preview --refresh --json`
 * output (CLI 3.274.1), recorded by test/gitops/fixtures/generate.test.ts from a stack of five VMs on
 * a simulator: steady; killed (killed through the simulator); limited (the program changed its
 * processorLimit 50000 -> 30000); tuned (its processorLimit changed to 20000 on the host); paused
 * (paused on the host). The host's own view at the time is in preview-refresh-drift.host.json.
 */
import fs from "node:fs";
import path from "node:path";
import { DRIFT_SCHEMA, summarizeDrift, type PreviewOutput } from "../../provider/src/gitops/drift-summary";
import { driftTable } from "../../provider/src/gitops/drift-table";

const FIXTURES = path.join(__dirname, "fixtures");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as PreviewOutput;
const drifted = load("preview-refresh-drift.json");
const clean = load("preview-refresh-clean.json");
const host = JSON.parse(fs.readFileSync(path.join(FIXTURES, "preview-refresh-drift.host.json"), "utf8")) as { ids: Record<string, string> };
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
            counts: { vms: 5, gone: 0, changed: 0, unchanged: 5, unmanaged: 0 },
        });
        expect(driftTable(summary)).toBe("stack test: no drift (5 VMs checked)\n");
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

    it("what the provider's read cannot see is not drift: a processorLimit changed on the host, a VM paused on the host", () => {
        const summary = summarizeDrift(drifted, { checkedAt });
        expect(summary.vms.map((vm) => vm.name)).toEqual(["killed", "limited"]);
        expect(summary.counts).toEqual({ vms: 5, gone: 1, changed: 1, unchanged: 3, unmanaged: 0 });
        expect(summary.drifted).toBe(true);
    });

    it("prints a table naming each drifted VM and field", () => {
        const table = driftTable(summarizeDrift(drifted, { checkedAt }));
        const lines = table.trimEnd().split("\n");
        expect(lines[0]).toBe("stack test: 2 of 5 VMs drifted (1 gone, 1 changed, 3 unchanged)");
        expect(lines[1]).toMatch(/^NAME +DRIFT +ACTION +COMPUTE SYSTEM +FIELDS$/);
        expect(lines[2]).toMatch(new RegExp(`^killed +gone +create +${host.ids.killed} +-$`));
        expect(lines[3]).toMatch(new RegExp(`^limited +changed +update +${host.ids.limited} +processorLimit 50000 -> 30000$`));
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

    it("an update the refresh found (start false on the host) keeps the recorded, the refreshed and the wanted value apart", () => {
        const recorded = state("stuck", { start: true, state: "Running" });
        const refreshed = state("stuck", { start: false, state: "Created" });
        const summary = summarizeDrift({ steps: [
            { op: "refresh", urn: urn("stuck"), oldState: recorded, newState: recorded },
            { op: "update", urn: urn("stuck"), oldState: refreshed, newState: { ...refreshed, inputs: { host: "sim:x", start: true } }, diffReasons: ["start"] },
        ] }, { checkedAt });
        expect(summary.vms[0]!.fields).toEqual([{ field: "start", kind: "update", recorded: true, actual: false, desired: true }]);
    });
});
