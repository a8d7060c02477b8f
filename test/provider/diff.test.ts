/**
 * `diff` is the change table of DESIGN §4: for every input, what a new value does. The table below
 * names every input, so adding an input without deciding its diff fails this test.
 */
import { FIELDS } from "../../provider/src/model/fields";
import { DeleteBeforeReplace, patchHostDiffResponse } from "../../provider/src/pulumi/detailed-diff";
import { diff, replacesVm } from "../../provider/src/pulumi/diff";
import { parsePropertyPath } from "../../provider/src/pulumi/replace-on-changes";
import { UNKNOWN } from "../../provider/src/pulumi/unknown";

/** Checked inputs of a typical VM, as `check` returns them (and outputs repeat them). */
const OLDS: Record<string, unknown> = {
    layerFolders: ["C:\\layers\\base", "C:\\uvms\\vm1"],
    owner: "pulumi-hcs",
    host: "sim:/tmp/sim/hcs.sock",
    memorySizeInMB: 1024,
    allowOvercommit: true,
    enableDeferredCommit: false,
    fullyPhysicallyBacked: false,
    lowMMIOGapInMB: 0,
    highMMIOBaseInMB: 0,
    highMMIOGapInMB: 0,
    processorCount: 2,
    processorLimit: 0,
    processorWeight: 0,
    storageQoSIopsMaximum: 0,
    storageQoSBandwidthMaximum: 0,
    disableCompartmentNamespace: false,
    scsiControllerCount: 1,
    noDirectMap: false,
    noInheritHostTimezone: false,
    noWritableFileShares: false,
    terminateOnLastHandleClosed: false,
    start: true,
    adoptExisting: false,
    // outputs only:
    computeSystemId: "0f9a2c5e-1b7d-4e3a-9c4f-8d2e6b1a7c30",
    runtimeId: "11111111-2222-3333-4444-555555555555",
    state: "Running",
};

type Expectation = "in place" | "replace" | "no change";
const CHANGES: Record<string, [unknown, Expectation]> = {
    layerFolders: [["C:\\layers\\base", "C:\\uvms\\vm2"], "replace"],
    computeSystemId: ["my-vm", "replace"],
    owner: ["ci", "replace"],
    host: ["sim:/tmp/other/hcs.sock", "replace"],
    memorySizeInMB: [2048, "in place"],
    allowOvercommit: [false, "replace"],
    enableDeferredCommit: [true, "replace"],
    fullyPhysicallyBacked: [true, "replace"],
    lowMMIOGapInMB: [128, "replace"],
    highMMIOBaseInMB: [4096, "replace"],
    highMMIOGapInMB: [512, "replace"],
    processorCount: [4, "replace"],
    processorLimit: [50000, "in place"],
    processorWeight: [200, "in place"],
    storageQoSIopsMaximum: [1000, "replace"],
    storageQoSBandwidthMaximum: [1000000, "replace"],
    cpuGroupId: ["7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f", "in place"],
    disableCompartmentNamespace: [true, "replace"],
    processDumpLocation: ["C:\\dumps", "replace"],
    dumpDirectoryPath: ["C:\\crash", "replace"],
    scsiControllerCount: [2, "replace"],
    noDirectMap: [true, "replace"],
    noInheritHostTimezone: [true, "replace"],
    noWritableFileShares: [true, "in place"],
    networkConfigProxy: ["127.0.0.1:6445", "in place"],
    terminateOnLastHandleClosed: [true, "replace"],
    start: [false, "replace"],
    adoptExisting: [true, "no change"],
    timeouts: [{ create: "10m" }, "in place"],
};

function newsWith(field: string, value: unknown): Record<string, unknown> {
    const { computeSystemId: _generated, runtimeId: _r, state: _s, ...inputs } = OLDS;
    return { ...inputs, [field]: value };
}

describe("diff", () => {
    it("has an expectation for every input", () => {
        expect(Object.keys(CHANGES).sort()).toEqual(FIELDS.map((f) => f.name).sort());
    });

    it("shows no change for the same checked inputs (a stable program)", () => {
        const { computeSystemId: _generated, runtimeId: _r, state: _s, ...news } = OLDS;
        expect(diff("id", OLDS, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it.each(Object.entries(CHANGES))("%s: a new value is %p", (field, [value, expected]) => {
        const result = diff("id", OLDS, newsWith(field, value));
        expect(result.changes).toBe(expected !== "no change");
        expect(result.replaces).toEqual(expected === "replace" ? [field] : []);
    });

    it("deletes before replacing when the compute-system ID is user-set", () => {
        const movedScratch = ["C:\\layers\\base", "C:\\uvms\\vm1-v2"];
        expect(diff("id", OLDS, { ...newsWith("processorCount", 4), layerFolders: movedScratch }).deleteBeforeReplace).toBe(false);
        expect(diff("id", OLDS, { ...newsWith("processorCount", 4), layerFolders: movedScratch, computeSystemId: OLDS.computeSystemId }).deleteBeforeReplace).toBe(true);
        expect(diff("id", OLDS, { ...newsWith("computeSystemId", "my-vm"), layerFolders: movedScratch }).deleteBeforeReplace).toBe(true);
    });

    it("deletes before replacing when the new VM would use the same scratch folder (its sandbox.vhdx)", () => {
        expect(diff("id", OLDS, newsWith("processorCount", 4)).deleteBeforeReplace).toBe(true);
        expect(diff("id", OLDS, newsWith("layerFolders", ["C:\\layers\\other", "c:\\UVMS\\vm1"])).deleteBeforeReplace).toBe(true);
        expect(diff("id", OLDS, newsWith("layerFolders", ["C:\\layers\\base", UNKNOWN])).deleteBeforeReplace).toBe(true);
    });

    it("never asks to delete first when nothing is replaced", () => {
        expect(diff("id", OLDS, newsWith("processorLimit", 1)).deleteBeforeReplace).toBe(false);
    });

    it("keeps a generated compute-system ID: leaving it unset is not a change", () => {
        expect(diff("id", OLDS, newsWith("owner", "pulumi-hcs")).changes).toBe(false);
    });

    it("replaces on a memory change when the VM is physically backed", () => {
        const olds = { ...OLDS, allowOvercommit: false };
        expect(diff("id", olds, { ...newsWith("memorySizeInMB", 2048), allowOvercommit: false }).replaces).toEqual(["memorySizeInMB"]);
    });

    it("starts in place when start goes from false to true", () => {
        expect(diff("id", { ...OLDS, start: false, state: "Created" }, newsWith("start", true))).toMatchObject({ changes: true, replaces: [] });
    });

    it("compares timeouts by duration, not by spelling", () => {
        const olds = { ...OLDS, timeouts: { create: "5m" } };
        expect(diff("id", olds, newsWith("timeouts", { create: "300s" })).changes).toBe(false);
    });

    it("treats an unknown value as a change (replacing when the input forces it)", () => {
        expect(diff("id", OLDS, newsWith("processorLimit", UNKNOWN))).toMatchObject({ changes: true, replaces: [] });
        expect(diff("id", OLDS, newsWith("owner", UNKNOWN))).toMatchObject({ changes: true, replaces: ["owner"] });
    });

    describe("host, by the identity of the host it reaches (issue 11 item 5)", () => {
        const HOST = "simulator:2b0c8f5e-6a8d-4c3b-9f1e-7d5a4c3b2a10";
        const OTHER = "simulator:9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
        const olds = { ...OLDS, hostId: HOST };
        const tcp = "sim:tcp:127.0.0.1:40123";

        it("a new address of the VM's own host is no change (not an update, not a replace)", () => {
            expect(diff("id", olds, { ...newsWith("host", tcp), __hostId: HOST })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        });

        it("a new address of the same host with another change is that change alone", () => {
            expect(diff("id", olds, { ...newsWith("host", tcp), processorLimit: 50000, __hostId: HOST })).toMatchObject({ changes: true, replaces: [] });
        });

        it("an address of another host replaces the VM", () => {
            expect(diff("id", olds, { ...newsWith("host", tcp), __hostId: OTHER })).toMatchObject({ changes: true, replaces: ["host"] });
        });

        it("goes by address when the state has no host ID (written before host IDs)", () => {
            expect(diff("id", OLDS, { ...newsWith("host", tcp), __hostId: HOST })).toMatchObject({ changes: true, replaces: ["host"] });
        });

        it("goes by address when check recorded no host ID (inputs unknown in a preview, or a host without one)", () => {
            expect(diff("id", olds, newsWith("host", tcp))).toMatchObject({ changes: true, replaces: ["host"] });
            expect(diff("id", olds, { ...newsWith("host", UNKNOWN), __hostId: HOST })).toMatchObject({ changes: true, replaces: ["host"] });
        });

        it("keeps the same address the same, whatever the identities say", () => {
            const { computeSystemId: _generated, runtimeId: _r, state: _s, ...news } = OLDS;
            expect(diff("id", olds, { ...news, __hostId: OTHER }).changes).toBe(false);
        });
    });

    it("ignores outputs and the serialized provider", () => {
        const news = { ...newsWith("owner", "pulumi-hcs"), __provider: "new provider code" };
        expect(diff("id", { ...OLDS, __provider: "old provider code", assignedMemoryInMB: 1000 }, news).changes).toBe(false);
    });

    it("sees no change in another spelling of the same path or GUID (Windows compares paths case-insensitively)", () => {
        expect(diff("id", OLDS, newsWith("layerFolders", ["c:\\LAYERS\\base", "C:\\uvms\\VM1"])).changes).toBe(false);
        const olds = { ...OLDS, cpuGroupId: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f", dumpDirectoryPath: "C:\\crash" };
        const news = { ...newsWith("cpuGroupId", "{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}"), dumpDirectoryPath: "c:\\CRASH" };
        expect(diff("id", olds, news).changes).toBe(false);
        expect(diff("id", olds, { ...news, cpuGroupId: "{00000000-3F4A-4B5C-9D8E-0A1B2C3D4E5F}" })).toMatchObject({ changes: true, replaces: [] });
        expect(diff("id", olds, { ...news, dumpDirectoryPath: "C:\\crash2" })).toMatchObject({ changes: true, replaces: ["dumpDirectoryPath"] });
    });

    describe("replaceOnChanges, which the SDK passes as __replaceOnChanges (issue 12 item 2)", () => {
        const limit = (paths: string[], value = 50000) => ({ ...newsWith("processorLimit", value), __replaceOnChanges: paths });

        it("turns a change of a listed in-place input into a replacement", () => {
            expect(diff("id", OLDS, limit(["processorLimit"]))).toMatchObject({ changes: true, replaces: ["processorLimit"] });
            expect(diff("id", OLDS, limit(["*"]))).toMatchObject({ changes: true, replaces: ["processorLimit"] });
        });

        it("leaves other inputs and unchanged listed inputs alone", () => {
            expect(diff("id", OLDS, limit(["processorWeight", "memorySizeInMB"]))).toMatchObject({ changes: true, replaces: [] });
            expect(diff("id", OLDS, limit(["processorLimit"], 0))).toMatchObject({ changes: false, replaces: [] });
        });

        it("follows a nested path into the input's value", () => {
            const olds = { ...OLDS, timeouts: { create: "5m", delete: "1m" } };
            const news = (timeouts: object, paths: string[]) => ({ ...newsWith("timeouts", timeouts), __replaceOnChanges: paths });
            expect(diff("id", olds, news({ create: "5m", delete: "2m" }, ["timeouts.create"]))).toMatchObject({ changes: true, replaces: [] });
            expect(diff("id", olds, news({ create: "6m", delete: "1m" }, ["timeouts.create"]))).toMatchObject({ changes: true, replaces: ["timeouts"] });
            expect(diff("id", olds, news({ create: "6m", delete: "1m" }, ['timeouts["create"]']))).toMatchObject({ replaces: ["timeouts"] });
        });

        it("parses Pulumi property paths", () => {
            expect(parsePropertyPath("layerFolders[0]")).toEqual(["layerFolders", 0]);
            expect(parsePropertyPath('timeouts["a.b"].c[*]')).toEqual(["timeouts", "a.b", "c", "*"]);
            expect(parsePropertyPath("a..b")).toBeUndefined();
        });
    });

    describe("CPU limits on a host that cannot change them in place (issue 12 item 3)", () => {
        it("replaces on a processorLimit or processorWeight change below build 19042, updates in place from 19042", () => {
            expect(diff("id", OLDS, { ...newsWith("processorLimit", 50000), __hostBuild: 17763 })).toMatchObject({ replaces: ["processorLimit"] });
            expect(diff("id", OLDS, { ...newsWith("processorWeight", 200), __hostBuild: 19041 })).toMatchObject({ replaces: ["processorWeight"] });
            expect(diff("id", OLDS, { ...newsWith("processorLimit", 50000), __hostBuild: 19042 })).toMatchObject({ changes: true, replaces: [] });
        });
    });

    describe("a compute-system ID check filled in (__generatedId)", () => {
        it("is never a change and never makes the old VM go first", () => {
            const news = { ...newsWith("processorCount", 4), layerFolders: ["C:\\layers\\base", "C:\\uvms\\vm1-v2"], computeSystemId: "other", __generatedId: true };
            expect(diff("id", OLDS, news)).toMatchObject({ changes: true, replaces: ["layerFolders", "processorCount"], deleteBeforeReplace: false });
        });

        it("replacesVm predicts the replacement from the state's checked inputs (host ID under __hostId)", () => {
            const { computeSystemId: _c, runtimeId: _r, state: _s, ...oldInputs } = OLDS;
            const HOST = "simulator:2b0c8f5e-6a8d-4c3b-9f1e-7d5a4c3b2a10";
            expect(replacesVm({ ...oldInputs, __hostId: HOST }, { ...newsWith("processorLimit", 1), __hostId: HOST })).toBe(false);
            expect(replacesVm({ ...oldInputs, __hostId: HOST }, { ...newsWith("host", "sim:tcp:127.0.0.1:1"), __hostId: HOST })).toBe(false);
            expect(replacesVm(oldInputs, newsWith("owner", "ci"))).toBe(true);
        });
    });

    describe("the detailed diff, handed to the dynamic-provider host's DiffResponse", () => {
        // The real generated class the host uses, so a Pulumi upgrade that changes it fails here.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const proto = require("@pulumi/pulumi/proto/provider_pb");

        it("sets detailedDiff, hasDetailedDiff and diffs from the changes, and deleteBeforeReplace from the value", () => {
            expect(patchHostDiffResponse(proto)).toBe(true);
            const response = new proto.DiffResponse();
            const carrier = new DeleteBeforeReplace(true, [
                { field: "processorCount", replaces: true, kind: "update" },
                { field: "processorLimit", replaces: false, kind: "update" },
                { field: "cpuGroupId", replaces: false, kind: "add" },
            ]);
            response.setDeletebeforereplace(carrier);
            const sent = proto.DiffResponse.deserializeBinary(response.serializeBinary());
            expect(sent.getDeletebeforereplace()).toBe(true);
            expect(sent.getHasdetaileddiff()).toBe(true);
            expect(sent.getDiffsList()).toEqual(["processorCount", "processorLimit", "cpuGroupId"]);
            const map = sent.getDetaileddiffMap();
            const details = Object.fromEntries(["processorCount", "processorLimit", "cpuGroupId"].map((key) => [key, [map.get(key).getKind(), map.get(key).getInputdiff()]]));
            const { UPDATE, UPDATE_REPLACE, ADD } = proto.PropertyDiff.Kind;
            expect(details).toEqual({ processorCount: [UPDATE_REPLACE, false], processorLimit: [UPDATE, false], cpuGroupId: [ADD, false] });
        });

        it("leaves plain booleans as they were", () => {
            patchHostDiffResponse(proto);
            const response = new proto.DiffResponse();
            response.setDeletebeforereplace(true);
            expect(response.getDeletebeforereplace()).toBe(true);
            expect(response.getHasdetaileddiff()).toBe(false);
        });

        it("is not applied outside the host: diff then returns a plain boolean", () => {
            expect(typeof diff("id", OLDS, newsWith("processorCount", 4)).deleteBeforeReplace).toBe("boolean");
        });
    });
});
