import { resolveOptions, type ResolveResult } from "../../../provider/src/model/resolve";
import type { HostFacts } from "../../../provider/src/model/host-facts";
import type { ResolvedOptions } from "../../../provider/src/model/resolved-options";

const HOST: HostFacts = { logicalProcessors: 8, build: 20348, creatorProcessors: 2 };
const LAYERS = ["C:\\layers\\base", "C:\\uvms\\vm1"];

function resolved(args: Record<string, unknown>, host: HostFacts = HOST): Extract<ResolveResult, { ok: true }> {
    const result = resolveOptions({ layerFolders: LAYERS, ...args }, host);
    if (!result.ok) throw new Error(result.failures.map((f) => `${f.field}: ${f.message}`).join("\n"));
    return result;
}

function options(args: Record<string, unknown>, host?: HostFacts): ResolvedOptions {
    return resolved(args, host).options;
}

describe("resolveOptions() defaults", () => {
    test("fills every default for the smallest input and leaves the ID and host to later layers", () => {
        expect(resolved({})).toEqual({
            ok: true,
            warnings: [],
            options: {
                layerFolders: LAYERS,
                owner: "pulumi-hcs",
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
            },
        });
    });

    test("leaves computeSystemId, host, cpuGroupId, dump paths, networkConfigProxy and timeouts absent", () => {
        const o = options({});
        for (const key of ["computeSystemId", "host", "cpuGroupId", "processDumpLocation", "dumpDirectoryPath", "networkConfigProxy", "timeouts"]) {
            expect(key in o).toBe(false);
        }
    });

    test("defaults processorCount to 1 when the creating process may use one CPU, whatever the host has", () => {
        expect(resolved({}, { logicalProcessors: 8, build: 20348, creatorProcessors: 1 })).toMatchObject({ options: { processorCount: 1 }, warnings: [] });
    });

    test("defaults processorCount to 2 when the creating process may use more CPUs", () => {
        expect(options({}, { logicalProcessors: 2, build: 20348, creatorProcessors: 2 }).processorCount).toBe(2);
        expect(options({}, { logicalProcessors: 64, build: 20348, creatorProcessors: 16 }).processorCount).toBe(2);
    });

    test("lowers the default of 2 to a host with one logical processor, warning as hcsshim does", () => {
        expect(resolved({}, { logicalProcessors: 1, build: 20348, creatorProcessors: 2 })).toMatchObject({
            options: { processorCount: 1 },
            warnings: [{ field: "processorCount", message: "Changing user requested CPUCount to current number of processors", requested: 2, assigned: 1 }],
        });
    });

    test("defaults allowOvercommit to false when fullyPhysicallyBacked is true", () => {
        expect(options({ fullyPhysicallyBacked: true })).toMatchObject({ fullyPhysicallyBacked: true, allowOvercommit: false });
    });

    test("keeps the values the user gave", () => {
        const o = options({
            computeSystemId: "vm-1",
            owner: "ci",
            host: "sim:/run/hcs.sock",
            memorySizeInMB: 4096,
            allowOvercommit: false,
            lowMMIOGapInMB: 64,
            highMMIOBaseInMB: 4096,
            highMMIOGapInMB: 8192,
            processorCount: 4,
            processorLimit: 50_000,
            processorWeight: 200,
            storageQoSIopsMaximum: 1000,
            storageQoSBandwidthMaximum: 1_000_000,
            cpuGroupId: "7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F",
            disableCompartmentNamespace: true,
            processDumpLocation: "C:\\dumps",
            dumpDirectoryPath: "c:/crash/",
            noDirectMap: true,
            noInheritHostTimezone: true,
            noWritableFileShares: true,
            networkConfigProxy: "127.0.0.1:6669",
            terminateOnLastHandleClosed: true,
            start: false,
            timeouts: { create: "10m" },
        });
        expect(o).toMatchObject({
            computeSystemId: "vm-1",
            owner: "ci",
            host: "sim:/run/hcs.sock",
            memorySizeInMB: 4096,
            allowOvercommit: false,
            lowMMIOGapInMB: 64,
            processorCount: 4,
            processorLimit: 50_000,
            processorWeight: 200,
            storageQoSIopsMaximum: 1000,
            storageQoSBandwidthMaximum: 1_000_000,
            cpuGroupId: "7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F",
            disableCompartmentNamespace: true,
            processDumpLocation: "C:\\dumps",
            dumpDirectoryPath: "c:\\crash",
            noDirectMap: true,
            noInheritHostTimezone: true,
            noWritableFileShares: true,
            networkConfigProxy: "127.0.0.1:6669",
            terminateOnLastHandleClosed: true,
            start: false,
            timeouts: { create: 600_000 },
        });
    });
});

describe("resolveOptions() normalization", () => {
    test("rounds memory up to even and warns with hcsshim's message", () => {
        expect(resolved({ memorySizeInMB: 1023 })).toMatchObject({
            options: { memorySizeInMB: 1024 },
            warnings: [{ field: "memorySizeInMB", message: "Changing user requested MemorySizeInMB to align to 2MB", requested: 1023, assigned: 1024 }],
        });
    });

    test("refuses 0 MB, which hcsshim would send as no size at all and HCS refuse at create", () => {
        expect(resolveOptions({ layerFolders: LAYERS, memorySizeInMB: 0 }, HOST)).toMatchObject({
            ok: false,
            failures: [{ field: "memorySizeInMB", message: expect.stringContaining("must be an integer from 1 to 251658240") }],
        });
    });

    test("clamps processorCount to the host and warns with hcsshim's message", () => {
        expect(resolved({ processorCount: 16 }, { logicalProcessors: 4, build: 20348, creatorProcessors: 2 })).toMatchObject({
            options: { processorCount: 4 },
            warnings: [
                { field: "processorCount", message: "Changing user requested CPUCount to current number of processors", requested: 16, assigned: 4 },
            ],
        });
    });

    test("keeps a processorCount equal to the host's without a warning", () => {
        expect(resolved({ processorCount: 8 })).toMatchObject({ options: { processorCount: 8 }, warnings: [] });
    });

    test("returns both warnings when both values change", () => {
        expect(resolved({ processorCount: 3, memorySizeInMB: 1 }, { logicalProcessors: 2, build: 1, creatorProcessors: 2 }).warnings.map((w) => w.field)).toEqual([
            "memorySizeInMB",
            "processorCount",
        ]);
    });
});

describe("resolveOptions() host rules", () => {
    test("refuses a CPU group before build 19043 with hcsshim's message", () => {
        const result = resolveOptions({ layerFolders: LAYERS, cpuGroupId: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f" }, { logicalProcessors: 8, build: 19042, creatorProcessors: 2 });
        expect(result).toEqual({
            ok: false,
            failures: [
                {
                    field: "cpuGroupId",
                    message:
                        "cpu group assignment on create requires a build of 19043 or higher (the host is build 19042; omit cpuGroupId, or use a host on Windows build 19043 or later)",
                },
            ],
        });
    });

    test("accepts a CPU group on build 19043", () => {
        expect(options({ cpuGroupId: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f" }, { logicalProcessors: 8, build: 19043, creatorProcessors: 2 }).cpuGroupId).toBeDefined();
    });

    test("reports host rules together with every other failure, in input order", () => {
        const result = resolveOptions(
            { layerFolders: ["C:\\a"], cpuGroupId: "7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f", scsiControllerCount: 2, allowOvercommit: false, enableDeferredCommit: true },
            { logicalProcessors: 8, build: 17763, creatorProcessors: 2 },
        );
        expect(result.ok).toBe(false);
        expect(!result.ok && result.failures.map((f) => f.field)).toEqual(["layerFolders", "enableDeferredCommit", "cpuGroupId", "scsiControllerCount"]);
    });

    test.each([
        [{ logicalProcessors: 0, build: 20348, creatorProcessors: 2 }],
        [{ logicalProcessors: 1.5, build: 20348, creatorProcessors: 2 }],
        [{ logicalProcessors: 8, build: -1, creatorProcessors: 2 }],
        [{ logicalProcessors: 8, build: NaN, creatorProcessors: 2 }],
        [{ logicalProcessors: 8, build: 20348, creatorProcessors: 0 }],
    ])("throws a RangeError for unusable host facts %p", (host) => {
        expect(() => resolveOptions({ layerFolders: LAYERS }, host)).toThrow(RangeError);
    });
});
