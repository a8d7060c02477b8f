/** `check`: every failure at preview time, and normalized inputs so diff compares what the VM gets. */
import { isWindows } from "../../provider/src/platform";
import { UNKNOWN } from "../../provider/src/pulumi/unknown";
import { computeSystemIdFor } from "../../provider/src/uvm/identity";
import { provider, vmArgs } from "../support/provider";
import { BASE_LAYER, startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

describe("check", () => {
    it("returns every failure at once, each naming its input", async () => {
        const result = await provider.check({}, { layerFolders: [BASE_LAYER, "uvms\\vm1"], scsiControllerCount: 2, host: host.hostName, procesorCount: 4 });
        const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
        expect(Object.keys(byProperty).sort()).toEqual(["layerFolders[1]", "procesorCount", "scsiControllerCount"]);
        expect(byProperty.scsiControllerCount).toContain("exactly 1 SCSI controller is required for WCOW");
        expect(byProperty["layerFolders[1]"]).toContain("it is relative");
        expect(byProperty.procesorCount).toContain('did you mean "processorCount"?');
        expect(result.inputs).toBeUndefined();
    });

    it("normalizes: memory rounds up to even, processors clamp to the host, paths and defaults are filled", async () => {
        const result = await provider.check({}, {
            layerFolders: ["c:/layers/base/", "C:\\uvms\\.\\vm1\\"],
            memorySizeInMB: 1023,
            processorCount: 16,
            host: host.hostName,
            __provider: "serialized provider text",
        });
        expect(result.failures).toBeUndefined();
        expect(result.inputs).toMatchObject({
            layerFolders: ["c:\\layers\\base", "C:\\uvms\\vm1"],
            memorySizeInMB: 1024,
            processorCount: 8,
            owner: "pulumi-hcs",
            allowOvercommit: true,
            start: true,
            terminateOnLastHandleClosed: false,
            scsiControllerCount: 1,
        });
        expect(result.inputs).not.toHaveProperty("__provider");
        expect(result.inputs).not.toHaveProperty("computeSystemId");
    });

    it("is stable: checking checked inputs gives them back unchanged", async () => {
        const first = await provider.check({}, vmArgs(host, "stable", { memorySizeInMB: 3001, timeouts: { create: "5m" } }));
        const second = await provider.check(first.inputs, first.inputs);
        expect(second.inputs).toEqual(first.inputs);
    });

    it("takes the host from PULUMI_HCS_HOST when the input is not set", async () => {
        const previous = process.env.PULUMI_HCS_HOST;
        process.env.PULUMI_HCS_HOST = host.hostName;
        try {
            const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\vm1"] });
            expect(result.inputs?.host).toBe(host.hostName);
        } finally {
            if (previous === undefined) delete process.env.PULUMI_HCS_HOST;
            else process.env.PULUMI_HCS_HOST = previous;
        }
    });

    // The contract differs by OS (DESIGN §3.9): without a host input or PULUMI_HCS_HOST, Windows targets
    // this machine ("local"); elsewhere there is no HCS to default to.
    it(isWindows
        ? "targets the local host when there is no host input and no PULUMI_HCS_HOST (Windows)"
        : "says what to do when there is no host at all (not Windows, no PULUMI_HCS_HOST)", async () => {
        const previous = process.env.PULUMI_HCS_HOST;
        delete process.env.PULUMI_HCS_HOST;
        try {
            const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\vm1"] });
            if (isWindows) {
                // Checked against the local HCS, or (this process already uses the simulator's library,
                // and under Wine there is no HCS) failing on host while naming it.
                const reason = result.failures?.find((f) => f.property === "host")?.reason;
                expect(result.inputs?.host ?? /cannot reach host '([^']*)'/.exec(reason ?? "")?.[1]).toBe("local");
            } else {
                expect(result.failures).toEqual([{ property: "host", reason: expect.stringContaining('Set host to "sim:<socket path>"') }]);
            }
        } finally {
            if (previous !== undefined) process.env.PULUMI_HCS_HOST = previous;
        }
    });

    it("reports an unreachable host on the host input, with the other failures", async () => {
        const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\vm1"], host: "sim:/nonexistent/hcs.sock", processorWeight: 20000 });
        const properties = (result.failures ?? []).map((f) => f.property).sort();
        expect(properties).toEqual(["host", "processorWeight"]);
        expect(result.failures?.find((f) => f.property === "host")?.reason).toContain("cannot reach host 'sim:/nonexistent/hcs.sock'");
    });

    it("lets unknown values (computed during preview) through, checking the rest", async () => {
        const pass = await provider.check({}, { layerFolders: [BASE_LAYER, UNKNOWN], host: host.hostName, computeSystemId: UNKNOWN });
        expect(pass.failures).toBeUndefined();
        expect(pass.inputs).toMatchObject({ computeSystemId: UNKNOWN });
        const fail = await provider.check({}, { layerFolders: UNKNOWN, host: host.hostName, processorLimit: -1 });
        expect(fail.failures?.map((f) => f.property)).toEqual(["processorLimit"]);
    });

    it("leaves rules between inputs to the up when an input they read is unknown in the preview", async () => {
        // adoptExisting needs computeSystemId, which may come from another resource's output.
        const adopt = await provider.check({}, { layerFolders: [BASE_LAYER, UNKNOWN], host: host.hostName, adoptExisting: true, computeSystemId: UNKNOWN });
        expect(adopt.failures).toBeUndefined();
        // The memory-backing rule reads allowOvercommit: unknown, it cannot be judged yet.
        const backing = await provider.check({}, { layerFolders: [BASE_LAYER, UNKNOWN], host: host.hostName, allowOvercommit: UNKNOWN, enableDeferredCommit: true });
        expect(backing.failures).toBeUndefined();
    });

    describe("hostile inputs (issue 11, item 7)", () => {
        it("refuses keys named like Object.prototype members, __proto__ included, as unknown inputs", async () => {
            const news = JSON.parse(JSON.stringify({ layerFolders: [BASE_LAYER, "C:\\uvms\\hostile"], host: host.hostName })) as Record<string, unknown>;
            for (const key of ["hasOwnProperty", "constructor", "toString", "__proto__"]) {
                Object.defineProperty(news, key, { value: key === "__proto__" ? { processorCount: 4 } : 1, enumerable: true, writable: true, configurable: true });
            }
            const result = await provider.check({}, news);
            expect((result.failures ?? []).map((f) => f.property).sort()).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString"]);
            for (const failure of result.failures ?? []) expect(failure.reason).toContain(`unknown input "${failure.property}": WcowUtilityVm has no such input;`);
            expect(result.inputs).toBeUndefined();
        });

        it("refuses the keys the SDK did not send (__unsentKeys) as unknown, with the closest-name suggestion", async () => {
            const result = await provider.check({}, vmArgs(host, "unsent", {
                __unsentKeys: [["hasOwnProperty"], ["procesorCount"], ["timeouts", "__proto__"]],
                processorLimit: -1,
            }));
            const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
            expect(Object.keys(byProperty)).toEqual(["hasOwnProperty", "procesorCount", "processorLimit", "timeouts.__proto__"]);
            expect(byProperty.procesorCount).toContain('did you mean "processorCount"?');
            expect(byProperty["timeouts.__proto__"]).toMatch(/^unknown timeout "__proto__"; the timeouts are create, update, delete/);
            expect(result.inputs).toBeUndefined();
        });

        it("refuses a malformed __unsentKeys rather than ignoring it", async () => {
            const result = await provider.check({}, vmArgs(host, "malformed", { __unsentKeys: "hasOwnProperty" }));
            expect(result.failures).toEqual([{ property: "__unsentKeys", reason: expect.stringContaining("must be a list of key paths") }]);
        });

        it("refuses a __proto__ key inside timeouts instead of reading its contents", async () => {
            const timeouts = JSON.parse('{"__proto__": {"create": "1s"}, "update": "5m"}') as object;
            const result = await provider.check({}, vmArgs(host, "proto-timeouts", { timeouts }));
            expect(result.failures).toEqual([{
                property: "timeouts.__proto__",
                reason: expect.stringContaining('unknown timeout "__proto__"; the timeouts are create, update, delete ("__proto__" cannot travel through Pulumi'),
            }]);
        });

        it("refuses host: null at check, with the other failures, instead of failing at create", async () => {
            const result = await provider.check({}, { layerFolders: [BASE_LAYER, "C:\\uvms\\null-host"], host: null, processorWeight: 20000 });
            expect(result.failures).toEqual([
                { property: "host", reason: 'must be a string like "local" or "sim:<socket path>", got null; omit host to use PULUMI_HCS_HOST (else local on Windows)' },
                { property: "processorWeight", reason: expect.stringContaining("must be an integer from 0 to 10000") },
            ]);
            expect(result.inputs).toBeUndefined();
        });

        it("refuses a reserved or wildcard computeSystemId, a 1 MB owner and 2^32 MB of memory or MMIO, each by name", async () => {
            const result = await provider.check({}, vmArgs(host, "limits", {
                computeSystemId: "CON.txt",
                owner: "o".repeat(1024 * 1024),
                memorySizeInMB: 2 ** 32,
                highMMIOGapInMB: 2 ** 32,
            }));
            const byProperty = Object.fromEntries((result.failures ?? []).map((f) => [f.property, f.reason]));
            expect(Object.keys(byProperty)).toEqual(["computeSystemId", "owner", "memorySizeInMB", "highMMIOGapInMB"]);
            expect(byProperty.computeSystemId).toContain("reserved device name CON");
            expect(byProperty.owner).toBe("is 1048576 characters long, over the limit of 255; choose a shorter owner");
            expect(byProperty.memorySizeInMB).toContain("must be an integer from 1 to 251658240");
            expect(byProperty.highMMIOGapInMB).toContain("must be an integer from 0 to 4294967295");
            const wildcard = await provider.check({}, vmArgs(host, "wildcard", { computeSystemId: "*?" }));
            expect(wildcard.failures).toEqual([{ property: "computeSystemId", reason: expect.stringContaining("it contains '*', which Windows does not allow in names") }]);
        });
    });

    describe("the compute-system ID a preview shows (issue 12 item 2)", () => {
        const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/hcs:WcowUtilityVm::vm";
        const args = (extra = {}) => vmArgs(host, "ids", { __resource: URN, ...extra });

        it("fills in the ID create will derive for a new VM, marked as generated, with the host's build", async () => {
            const { inputs } = await provider.check({}, args());
            const { __generatedId, __hostBuild, __resource, __hostId, computeSystemId, ...options } = inputs as Record<string, unknown>;
            expect(__generatedId).toBe(true);
            expect(__hostBuild).toBe(20348);
            expect(computeSystemId).toBe(computeSystemIdFor(options as never, URN));
        });

        it("keeps the state's ID through an in-place update, and predicts the new one for a replacement", async () => {
            const first = (await provider.check({}, args())).inputs as Record<string, unknown>;
            const state = { ...first, computeSystemId: "6a1c57a0-3d1f-4c1e-9b1a-2f0e7d6c5b4a" }; // e.g. an adopted or older VM
            const inPlace = (await provider.check(state, args({ processorLimit: 50000 }))).inputs;
            expect(inPlace).toMatchObject({ computeSystemId: state.computeSystemId, __generatedId: true });
            const replaced = (await provider.check(state, args({ processorCount: 1 }))).inputs as Record<string, unknown>;
            expect(replaced.computeSystemId).not.toBe(state.computeSystemId);
            expect(replaced.computeSystemId).not.toBe(first.computeSystemId);
            const forced = (await provider.check(state, args({ processorLimit: 50000, __replaceOnChanges: ["processorLimit"] }))).inputs;
            expect(forced).toMatchObject({ computeSystemId: first.computeSystemId });
        });

        it("leaves it unknown for a state that does not record it, and never marks a program's own ID", async () => {
            const { computeSystemId: _id, __generatedId: _g, ...older } = (await provider.check({}, args())).inputs as Record<string, unknown>;
            expect((await provider.check(older, args({ processorLimit: 50000 }))).inputs).not.toHaveProperty("computeSystemId");
            const own = (await provider.check({}, args({ computeSystemId: "my-vm" }))).inputs;
            expect(own).toMatchObject({ computeSystemId: "my-vm" });
            expect(own).not.toHaveProperty("__generatedId");
        });
    });
});
