import {
    DELIBERATE_DIFFERENCES,
    hcsshimWords,
    isHostFileRefusal,
    ownerFor,
    pathsAsWeLookAtThem,
    stricterRulesBroken,
    withOurTerminateOnLastHandle,
} from "../../../provider/src/model/hcsshim-differences";

describe("DELIBERATE_DIFFERENCES", () => {
    test("names each difference once, with what we do and why", () => {
        const ids = DELIBERATE_DIFFERENCES.map((d) => d.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const d of DELIBERATE_DIFFERENCES) expect([d.summary.length > 20, d.reason.length > 20]).toEqual([true, true]);
    });
});

describe("hcsshimWords()", () => {
    test("drops hcsshim's wrapper and the operating system's text", () => {
        expect(hcsshimWords("error in preparing config doc: failed to stat dump directory C:\\crash: GetFileAttributesEx C:\\crash: Path not found.",
            "GetFileAttributesEx C:\\crash: Path not found.")).toBe("failed to stat dump directory C:\\crash");
        expect(hcsshimWords("UVM options incorrect: at least 2 LayerFolders must be supplied")).toBe("at least 2 LayerFolders must be supplied");
    });

    test("keeps an OS text that is not at the end", () => {
        expect(hcsshimWords("a: b: c", "b")).toBe("a: b: c");
    });
});

describe("withOurTerminateOnLastHandle()", () => {
    const doc = '{"Owner":"o","VirtualMachine":{},"ShouldTerminateOnLastHandleClosed":true}';

    test("drops hcsshim's ShouldTerminateOnLastHandleClosed unless the input asks for it", () => {
        expect(withOurTerminateOnLastHandle(doc, {})).toBe('{"Owner":"o","VirtualMachine":{}}');
        expect(withOurTerminateOnLastHandle(doc, { terminateOnLastHandleClosed: true })).toBe(doc);
    });

    test("refuses a document that does not end with it", () => {
        expect(() => withOurTerminateOnLastHandle('{"Owner":"o"}', {})).toThrow("does not end with");
    });
});

describe("what hcsshim is given", () => {
    test("our owner when none is set", () => {
        expect([ownerFor({}), ownerFor({ owner: "ci" })]).toEqual(["pulumi-hcs", "ci"]);
    });

    test("the dump directory normalized, layer folders without a trailing separator but otherwise as written", () => {
        expect(pathsAsWeLookAtThem({ layerFolders: ["c:/layers/base/", "C:\\uvms\\.\\vm\\", "C:\\"], dumpDirectoryPath: "c:/crash/" })).toEqual({
            layerFolders: ["c:/layers/base", "C:\\uvms\\.\\vm", "C:\\"],
            dumpDirectoryPath: "c:\\crash",
        });
    });
});

describe("stricterRulesBroken()", () => {
    test("finds integers outside the field table's ranges, however large", () => {
        expect(stricterRulesBroken({ memorySizeInMB: "18446744073709551615", processorCount: -1 }).map((r) => r.field)).toEqual(["memorySizeInMB", "processorCount"]);
    });

    test("finds the rules between inputs", () => {
        expect(stricterRulesBroken({ fullyPhysicallyBacked: true, allowOvercommit: true }).map((r) => r.field)).toEqual(["allowOvercommit"]);
        expect(stricterRulesBroken({ highMMIOBaseInMB: 2 ** 31 + 1, highMMIOGapInMB: 2 ** 31 }).map((r) => r.field)).toEqual(["highMMIOGapInMB"]);
    });

    test("finds nothing in inputs hcsshim and we both take", () => {
        expect(stricterRulesBroken({ memorySizeInMB: 1023, processorCount: 64, processorLimit: 100_000, highMMIOBaseInMB: 1, highMMIOGapInMB: 1 })).toEqual([]);
    });
});

describe("isHostFileRefusal()", () => {
    test("tells hcsshim's refusals about the host's files from its option checks", () => {
        expect(isHostFileRefusal("failed to create scratch: failed CopyFileW Win32 call from 'a' to 'b'")).toBe(true);
        expect(isHostFileRefusal("exactly 1 SCSI controller is required for WCOW")).toBe(false);
    });
});
