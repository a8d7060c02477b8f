import { checkArgs, validateArgs, validateKnownArgs } from "../../../provider/src/model/validate";
import type { ValidationFailure } from "../../../provider/src/model/validation-failure";

const LAYERS = ["C:\\layers\\base", "C:\\uvms\\vm1"];

/** The failures for `layerFolders` plus `extra`. */
function failuresFor(extra: Record<string, unknown>): ValidationFailure[] {
    return validateArgs({ layerFolders: LAYERS, ...extra });
}

/** The one failure for `extra`; fails the test when there is not exactly one. */
function failureFor(extra: Record<string, unknown>): ValidationFailure {
    const failures = failuresFor(extra);
    expect(failures).toHaveLength(1);
    return failures[0]!;
}

describe("validateArgs() shape checks", () => {
    test("accepts the smallest valid input", () => {
        expect(validateArgs({ layerFolders: LAYERS })).toEqual([]);
    });

    test.each([[null], [[LAYERS]], ["layerFolders"], [42]])("refuses %p as the inputs object", (args) => {
        expect(validateArgs(args)).toEqual([{ field: "args", message: expect.stringContaining("must be an object") }]);
    });

    test("treats null and undefined inputs as not given", () => {
        expect(failuresFor({ owner: null, processorCount: undefined, timeouts: null })).toEqual([]);
    });

    test("refuses an unknown input and suggests the closest known name", () => {
        expect(failureFor({ procesorCount: 2 })).toEqual({
            field: "procesorCount",
            message: 'unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"?',
        });
    });

    test("suggests the camel-case name for hcsshim's Go names", () => {
        expect(failureFor({ CPUGroupID: "x" }).message).toContain('did you mean "cpuGroupId"?');
        expect(failureFor({ MemorySizeInMB: 2 }).message).toContain('did you mean "memorySizeInMB"?');
    });

    test("lists the known inputs when nothing is close", () => {
        expect(failureFor({ networkAdapters: [] }).message).toContain("the inputs are layerFolders, computeSystemId, owner, host");
    });

    test("refuses Pulumi's reserved __provider key, which the Pulumi layer must strip", () => {
        expect(failureFor({ __provider: "..." }).field).toBe("__provider");
    });
});

describe("validateArgs() layerFolders", () => {
    test("requires layerFolders with hcsshim's message", () => {
        expect(validateArgs({})).toEqual([
            { field: "layerFolders", message: expect.stringContaining("at least 2 LayerFolders must be supplied (layerFolders is missing;") },
        ]);
    });

    test.each([[[]], [["C:\\layers\\base"]]])("refuses %p with hcsshim's message and the count", (folders) => {
        const failures = validateArgs({ layerFolders: folders });
        expect(failures).toEqual([
            {
                field: "layerFolders",
                message: expect.stringContaining(`at least 2 LayerFolders must be supplied (layerFolders has ${folders.length} ${folders.length === 1 ? "entry" : "entries"};`),
            },
        ]);
    });

    test("refuses a non-list", () => {
        expect(validateArgs({ layerFolders: "C:\\a;C:\\b" })[0]).toEqual({
            field: "layerFolders",
            message: 'must be a list of Windows paths, got the string "C:\\a;C:\\b"',
        });
    });

    test("names the bad entry by index, with the value and the reason", () => {
        expect(validateArgs({ layerFolders: ["C:\\layers\\base", "uvms\\vm1"] })).toEqual([
            {
                field: "layerFolders[1]",
                message: '"uvms\\vm1" is not a usable Windows path: it is relative; write the full path starting with a drive letter, like C:\\layers\\base',
            },
        ]);
    });

    test("refuses a non-string entry", () => {
        expect(validateArgs({ layerFolders: ["C:\\a", 7] })).toEqual([{ field: "layerFolders[1]", message: "must be a Windows path string, got 7" }]);
    });

    test("reports every bad entry and the count at once", () => {
        const fields = validateArgs({ layerFolders: ["\\\\srv\\share"] }).map((f) => f.field);
        expect(fields).toEqual(["layerFolders", "layerFolders[0]"]);
    });

    test("refuses the same folder twice, comparing normalized paths case-insensitively", () => {
        expect(validateArgs({ layerFolders: ["C:\\layers\\base", "c:/LAYERS/Base/", "C:\\uvms\\vm1"] })).toEqual([
            {
                field: "layerFolders[1]",
                message: '"c:\\LAYERS\\Base" names the same folder as layerFolders[0] ("C:\\layers\\base"; Windows paths are case-insensitive); list each folder once',
            },
        ]);
    });

    test("normalizes the folders it accepts", () => {
        expect(checkArgs({ layerFolders: ["c:/layers/base/", "C:\\uvms\\.\\vm1"] }).values.layerFolders).toEqual(["c:\\layers\\base", "C:\\uvms\\vm1"]);
    });

    test("refuses a scratch folder too long to hold sandbox.vhdx within MAX_PATH", () => {
        const scratch = `C:\\${"s".repeat(250)}`;
        expect(validateArgs({ layerFolders: ["C:\\layers\\base", scratch] })).toEqual([
            { field: "layerFolders[1]", message: expect.stringMatching(/^the scratch disk path ".*sandbox\.vhdx" would be 266 characters long, over the limit of 259/) },
        ]);
    });
});

describe("validateArgs() types and ranges", () => {
    test.each([
        ["allowOvercommit", "yes", 'must be a boolean (true or false), got the string "yes"'],
        ["start", "false", 'must be a boolean (true or false), got the string "false"; write false without quotes'],
        ["noDirectMap", 1, "must be a boolean (true or false), got 1"],
        ["owner", 5, "must be a string, got 5"],
        ["processorCount", "4", 'must be an integer, got the string "4"; write 4 without quotes'],
        ["processorCount", 1.5, "must be a whole number, got 1.5"],
        ["memorySizeInMB", NaN, "must be a finite integer, got NaN"],
        ["memorySizeInMB", Infinity, "must be a finite integer, got Infinity"],
        ["memorySizeInMB", 2 ** 60, "must be an integer from 1 to 251658240, got a number beyond 9007199254740991, the largest integer JavaScript represents exactly (it arrived rounded, as 1152921504606847000); choose a value in range or omit memorySizeInMB for the default, 1024"],
        // 2^53 + 1 as written arrives as 2^53: the message must not present 2^53 as the value written.
        ["highMMIOGapInMB", 9007199254740993, "must be an integer from 0 to 4294967295, got a number beyond 9007199254740991, the largest integer JavaScript represents exactly (it arrived rounded, as 9007199254740992); choose a value in range or omit highMMIOGapInMB for the default, 0"],
        ["processorLimit", true, "must be an integer, got a boolean"],
        ["timeouts", "5m", 'must be an object like { "create": "10m", "delete": "5m" }, got the string "5m"'],
        ["cpuGroupId", 12, "must be a GUID string, got 12"],
        ["dumpDirectoryPath", ["C:\\a"], "must be a Windows path string, got an array of 1 item"],
    ])("refuses %s = %p: %s", (field, value, message) => {
        expect(failureFor({ [field]: value })).toEqual({ field, message });
    });

    test.each([
        ["processorLimit", 100_001, "must be an integer from 0 to 100000 (100000 is 100% of the VM's processors; 0 leaves the platform default), got 100001"],
        ["processorLimit", -1, "must be an integer from 0 to 100000"],
        ["processorWeight", 10_001, "must be an integer from 0 to 10000 (0 leaves the platform default of 100), got 10001"],
        ["processorCount", 0, "must be an integer from 1 to 2147483647, got 0; choose a value in range or omit processorCount for the default, 2, or 1 when the process creating the VM may use only one CPU, clamped to host"],
        ["processorCount", 2 ** 31, "must be an integer from 1 to 2147483647, got 2147483648"],
        ["memorySizeInMB", -2, "must be an integer from 1 to 251658240 (251658240 MB is 240 TB, Hyper-V's maximum per VM; 0 is not a size: HCS refuses a VM without one), got -2"],
        ["memorySizeInMB", 0, "must be an integer from 1 to 251658240 (251658240 MB is 240 TB, Hyper-V's maximum per VM; 0 is not a size: HCS refuses a VM without one), got 0; choose a value in range or omit memorySizeInMB for the default, 1024"],
        ["lowMMIOGapInMB", -1, "must be an integer from 0 to"],
        ["highMMIOBaseInMB", -1, "must be an integer from 0 to"],
        ["highMMIOGapInMB", -1, "must be an integer from 0 to"],
        ["storageQoSIopsMaximum", 2 ** 31, "must be an integer from 0 to 2147483647 (0 means no cap), got 2147483648"],
        ["storageQoSBandwidthMaximum", -5, "must be an integer from 0 to 2147483647 (bytes per second; 0 means no cap), got -5"],
    ])("refuses %s = %p as out of range", (field, value, message) => {
        expect(failureFor({ [field]: value })).toEqual({ field, message: expect.stringContaining(message) });
    });

    test.each([
        ["processorLimit", 0],
        ["processorLimit", 100_000],
        ["processorWeight", 10_000],
        ["processorCount", 2_147_483_647],
        ["memorySizeInMB", 1],
        ["memorySizeInMB", 251_658_240],
        ["lowMMIOGapInMB", 4095],
        ["highMMIOBaseInMB", 2 ** 32 - 1],
        ["storageQoSIopsMaximum", 2_147_483_647],
        ["highMMIOGapInMB", 0],
    ])("accepts %s = %p at the edge of its range", (field, value) => {
        expect(failuresFor({ [field]: value })).toEqual([]);
    });

    test("turns -0 into 0", () => {
        expect(Object.is(checkArgs({ layerFolders: LAYERS, processorLimit: -0 }).values.processorLimit, 0)).toBe(true);
    });

    test.each([[0], [2], [4], [-1]])("refuses scsiControllerCount %p with hcsshim's message", (count) => {
        expect(failureFor({ scsiControllerCount: count })).toEqual({
            field: "scsiControllerCount",
            message: `exactly 1 SCSI controller is required for WCOW (scsiControllerCount is ${count}; set scsiControllerCount: 1 or omit it)`,
        });
    });

    test("accepts scsiControllerCount 1", () => {
        expect(failuresFor({ scsiControllerCount: 1 })).toEqual([]);
    });
});

describe("validateArgs() strings", () => {
    test.each([["owner"], ["computeSystemId"], ["networkConfigProxy"], ["host"]])("refuses an empty %s and says what omitting it does", (field) => {
        expect(failureFor({ [field]: "" })).toEqual({ field, message: expect.stringMatching(new RegExp(`^must not be empty; omit ${field} (for the default|to leave it unset)`)) });
    });

    test("says an empty owner falls back to pulumi-hcs when omitted", () => {
        expect(failureFor({ owner: "" }).message).toBe('must not be empty; omit owner for the default, "pulumi-hcs"');
    });

    test.each([["owner"], ["networkConfigProxy"]])("refuses NUL in %s", (field) => {
        expect(failureFor({ [field]: "a\u0000b" }).message).toContain("NUL character (U+0000) at index 1");
    });

    test("accepts any owner text without NUL", () => {
        expect(failuresFor({ owner: "ci pool\t#3 <β>" })).toEqual([]);
    });

    test.each([["build-uvm-1"], ["7d6b2c1e-3f4a-4b5c-9d8e-0a1b2c3d4e5f"], ["Mixed.Case_ID"], ["x".repeat(255)]])("accepts the compute system ID %p", (id) => {
        expect(failuresFor({ computeSystemId: id })).toEqual([]);
    });

    test.each([
        ["a\\b", "contains '\\'"],
        ["a/b", "contains '/'"],
        ["a\nb", "control character U+000A"],
        ["a\u0000", "NUL character"],
        ["x".repeat(256), "is 256 characters long, over the limit of 255"],
    ])("refuses the compute system ID %p", (id, reason) => {
        expect(failureFor({ computeSystemId: id })).toEqual({ field: "computeSystemId", message: expect.stringContaining(reason) });
    });

    test("keeps a compute system ID as written (HCS IDs need not be GUIDs)", () => {
        expect(checkArgs({ layerFolders: LAYERS, computeSystemId: "Build-UVM" }).values.computeSystemId).toBe("Build-UVM");
    });

    test("keeps a cpuGroupId in braces and upper case as written, as hcsshim sends it", () => {
        expect(checkArgs({ layerFolders: LAYERS, cpuGroupId: "{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}" }).values.cpuGroupId).toBe(
            "{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}",
        );
    });

    test("refuses a cpuGroupId that is not a GUID", () => {
        expect(failureFor({ cpuGroupId: "group-1" })).toEqual({
            field: "cpuGroupId",
            message: '"group-1" is not a GUID; write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx with hexadecimal digits (braces optional)',
        });
    });

    test("refuses the null CPU group ID", () => {
        expect(failureFor({ cpuGroupId: "00000000-0000-0000-0000-000000000000" }).message).toContain('means "no CPU group" to HCS; omit cpuGroupId instead');
    });

    test("accepts local and sim hosts, normalizing the socket path and the port", () => {
        expect(checkArgs({ layerFolders: LAYERS, host: "local" }).values.host).toBe("local");
        expect(checkArgs({ layerFolders: LAYERS, host: "sim:/tmp//hcs.sock" }).values.host).toBe("sim:/tmp/hcs.sock");
        expect(checkArgs({ layerFolders: LAYERS, host: "sim:tcp:127.0.0.1:08080" }).values.host).toBe("sim:tcp:127.0.0.1:8080");
    });

    test("accepts a host agent, lower-casing its name; refuses plaintext grpc://", () => {
        expect(checkArgs({ layerFolders: LAYERS, host: "grpcs://Build01.Example.NET:7443" }).values.host).toBe("grpcs://build01.example.net:7443");
        expect(failureFor({ host: "grpc://build01:7443" })).toEqual({ field: "host", message: expect.stringContaining("every agent speaks mutual TLS only; write \"grpcs://\"") });
    });

    test("refuses an unknown host form, listing the accepted ones", () => {
        expect(failureFor({ host: "build01" }).message).toBe(
            '"build01" is not a host this provider knows; write "local", "sim:<absolute socket path>" (for example "sim:/run/pulumi-hcs/sim.sock"), ' +
                '"sim:tcp:127.0.0.1:<port>" (a simulator listening on TCP; its secret in PULUMI_HCS_SIM_SECRET) or "grpcs://<name>:<port>" (a host agent)',
        );
    });
});

describe("validateArgs() path inputs", () => {
    test.each([["processDumpLocation"], ["dumpDirectoryPath"]])("normalizes %s", (field) => {
        expect(checkArgs({ layerFolders: LAYERS, [field]: "c:/dumps/" }).values).toMatchObject({ [field]: "c:\\dumps" });
    });

    test.each([
        ["dumpDirectoryPath", "\\\\host\\dumps", "UNC paths"],
        ["dumpDirectoryPath", "dumps", "it is relative"],
        ["processDumpLocation", "C:dumps", "relative to the current folder of drive C"],
        ["processDumpLocation", "C:\\dumps\\nul", "reserved device name NUL"],
    ])("refuses %s = %p", (field, value, reason) => {
        expect(failureFor({ [field]: value })).toEqual({ field, message: expect.stringContaining(`"${value}" is not a usable Windows path: `) });
        expect(failureFor({ [field]: value }).message).toContain(reason);
    });
});

describe("validateArgs() memory backing rules", () => {
    test("refuses deferred commit without overcommit with hcsshim's message, the value and the fix", () => {
        expect(failureFor({ allowOvercommit: false, enableDeferredCommit: true })).toEqual({
            field: "enableDeferredCommit",
            message:
                "EnableDeferredCommit is not supported on physically backed VMs (allowOvercommit is false; set allowOvercommit: true or drop enableDeferredCommit)",
        });
    });

    test("accepts deferred commit with the default overcommit", () => {
        expect(failuresFor({ enableDeferredCommit: true })).toEqual([]);
    });

    test("refuses allowOvercommit true together with fullyPhysicallyBacked", () => {
        expect(failureFor({ fullyPhysicallyBacked: true, allowOvercommit: true })).toEqual({
            field: "allowOvercommit",
            message: expect.stringContaining("allowOvercommit is true but fullyPhysicallyBacked is true"),
        });
    });

    test("checks deferred commit against the overcommit fullyPhysicallyBacked implies", () => {
        expect(failureFor({ fullyPhysicallyBacked: true, enableDeferredCommit: true })).toEqual({
            field: "enableDeferredCommit",
            message: expect.stringContaining(
                "EnableDeferredCommit is not supported on physically backed VMs (allowOvercommit is false because fullyPhysicallyBacked is true;",
            ),
        });
    });

    test("accepts fullyPhysicallyBacked with allowOvercommit false", () => {
        expect(failuresFor({ fullyPhysicallyBacked: true, allowOvercommit: false })).toEqual([]);
    });

    test("does not judge deferred commit when allowOvercommit itself is invalid", () => {
        expect(failuresFor({ allowOvercommit: "no", enableDeferredCommit: true }).map((f) => f.field)).toEqual(["allowOvercommit"]);
    });
});

describe("validateArgs() timeouts", () => {
    test("reads each timeout in milliseconds", () => {
        expect(checkArgs({ layerFolders: LAYERS, timeouts: { create: "90s", update: "1h30m", delete: "5m" } }).values.timeouts).toEqual({
            create: 90_000,
            update: 5_400_000,
            delete: 300_000,
        });
    });

    test("refuses an unknown timeout and suggests the closest name", () => {
        expect(failureFor({ timeouts: { creat: "5m" } })).toEqual({
            field: "timeouts.creat",
            message: 'unknown timeout "creat"; the timeouts are create, update, delete (did you mean "create"?)',
        });
    });

    test("refuses a timeout that is not a string", () => {
        expect(failureFor({ timeouts: { delete: 300 } })).toEqual({ field: "timeouts.delete", message: 'must be a duration string like "5m" or "90s", got 300' });
    });

    test("refuses bad durations with the parser's reason", () => {
        const failures = failuresFor({ timeouts: { create: "0", update: "-1m", delete: "5 minutes" } });
        expect(failures.map((f) => f.field)).toEqual(["timeouts.create", "timeouts.update", "timeouts.delete"]);
        expect(failures[0]!.message).toContain("greater than 0");
    });
});

describe("validateArgs() reporting", () => {
    test("reports every failure at once, unknown inputs first, then in input order", () => {
        const failures = validateArgs({
            timeouts: { create: "soon" },
            scsiControllerCount: 2,
            processorLimit: 1e6,
            bogus: 1,
            layerFolders: ["C:\\only"],
            owner: "",
        });
        expect(failures.map((f) => f.field)).toEqual(["bogus", "layerFolders", "owner", "processorLimit", "scsiControllerCount", "timeouts.create"]);
    });

    test("still returns the inputs that passed their own checks", () => {
        const checked = checkArgs({ layerFolders: LAYERS, dumpDirectoryPath: "c:/crash", processorCount: "two" });
        expect(checked.failures.map((f) => f.field)).toEqual(["processorCount"]);
        expect(checked.values).toEqual({ layerFolders: LAYERS, dumpDirectoryPath: "c:\\crash" });
    });
});

describe("validateArgs() hostile inputs (issue 11, item 7)", () => {
    test.each([["hasOwnProperty"], ["constructor"], ["toString"], ["valueOf"], ["__proto__"]])(
        "refuses the key %p, named like an Object.prototype member, as an unknown input",
        (key) => {
            const args = JSON.parse(JSON.stringify({ layerFolders: LAYERS })) as Record<string, unknown>;
            Object.defineProperty(args, key, { value: 1, enumerable: true, writable: true, configurable: true });
            expect(validateArgs(args)).toEqual([{ field: key, message: expect.stringContaining(`unknown input "${key}": WcowUtilityVm has no such input;`) }]);
        },
    );

    test("explains why a top-level __proto__ key cannot be an input", () => {
        const failures = validateArgs(JSON.parse('{"layerFolders": ["C:\\\\a", "C:\\\\b"], "__proto__": {"owner": "x"}}'));
        expect(failures).toEqual([{ field: "__proto__", message: expect.stringContaining('"__proto__" cannot travel through Pulumi') }]);
    });

    test("reads only the object's own inputs, never ones inherited from a prototype", () => {
        const inherited = Object.create({ layerFolders: LAYERS, processorCount: 0 }) as object;
        expect(validateArgs(inherited)).toEqual([{ field: "layerFolders", message: expect.stringContaining("layerFolders is missing") }]);
    });

    test("refuses a __proto__ key inside timeouts with a field-specific message, instead of reading its contents", () => {
        const timeouts = JSON.parse('{"__proto__": {"create": "1s"}, "update": "5m"}') as object;
        const checked = checkArgs({ layerFolders: LAYERS, timeouts });
        expect(checked.failures).toEqual([{ field: "timeouts.__proto__", message: expect.stringMatching(/^unknown timeout "__proto__"; the timeouts are create, update, delete \("__proto__" cannot travel/) }]);
        expect(checked.values.timeouts).toBeUndefined();
    });

    test.each([
        [" ", "it is only dots and spaces"],
        ["   ", "it is only dots and spaces"],
        [".", "it is only dots and spaces"],
        ["..", "it is only dots and spaces"],
        ["con", "it is the reserved device name CON"],
        ["CON", "it is the reserved device name CON"],
        ["Con.txt", "it is the reserved device name CON"],
        ["nul.vhdx", "it is the reserved device name NUL"],
        ["aux", "it is the reserved device name AUX"],
        ["prn.a.b", "it is the reserved device name PRN"],
        ["com1", "it is the reserved device name COM1"],
        ["LPT9.log", "it is the reserved device name LPT9"],
        ["COM\u00b9", "it is the reserved device name COM\u00b9"],
        ["*?", "it contains '*', which Windows does not allow in names (< > : \" | ? *)"],
        ["vm?", "it contains '?'"],
        ["a<b", "it contains '<'"],
        ["a>b", "it contains '>'"],
        ["a:b", "it contains ':'"],
        ['a"b', "it contains '\"'"],
        ["a|b", "it contains '|'"],
        [" vm", "it starts with a space"],
        ["vm ", 'it ends with a space, which Windows strips from names, so it would name the same thing as "vm"; remove the trailing space'],
        ["vm.", 'it ends with a dot, which Windows strips from names, so it would name the same thing as "vm"; remove the trailing dot'],
    ])("refuses the compute system ID %p: %s", (id, reason) => {
        expect(failureFor({ computeSystemId: id })).toEqual({ field: "computeSystemId", message: expect.stringContaining(reason) });
        expect(failureFor({ computeSystemId: id }).message.startsWith(`${JSON.stringify(id)} is not a usable compute system ID: `)).toBe(true);
    });

    test.each([["console"], ["con-1"], ["com10"], ["lpt"], ["vm.1"], ["a.b.c"], ["nul_vm"], [".vm"]])("accepts the compute system ID %p, which only looks reserved", (id) => {
        expect(failuresFor({ computeSystemId: id })).toEqual([]);
    });

    test("refuses an owner of 1 MB, and accepts one of 255 characters", () => {
        expect(failureFor({ owner: "o".repeat(1024 * 1024) })).toEqual({
            field: "owner",
            message: "is 1048576 characters long, over the limit of 255; choose a shorter owner",
        });
        expect(failuresFor({ owner: "o".repeat(255) })).toEqual([]);
    });

    test.each([
        ["memorySizeInMB", 2 ** 32, "must be an integer from 1 to 251658240 (251658240 MB is 240 TB, Hyper-V's maximum per VM;"],
        ["memorySizeInMB", 251_658_242, "must be an integer from 1 to 251658240"],
        ["lowMMIOGapInMB", 4096, "must be an integer from 0 to 4095 (the gap lies below 4 GB; 0 leaves the platform default), got 4096"],
        ["lowMMIOGapInMB", 2 ** 32, "must be an integer from 0 to 4095"],
        ["highMMIOBaseInMB", 2 ** 32, "must be an integer from 0 to 4294967295 (2^32 MB is x86-64's 52-bit physical address limit;"],
        ["highMMIOGapInMB", 2 ** 40, "must be an integer from 0 to 4294967295"],
    ])("refuses %s = %p, past the documented upper bound", (field, value, message) => {
        expect(failureFor({ [field]: value })).toEqual({ field, message: expect.stringContaining(message) });
    });

    test("refuses a high MMIO region that ends past 2^32 MB, and accepts one that ends exactly there", () => {
        expect(failureFor({ highMMIOBaseInMB: 2 ** 31, highMMIOGapInMB: 2 ** 31 + 1 })).toEqual({
            field: "highMMIOGapInMB",
            message: expect.stringContaining("the high MMIO region would end at 4294967297 MB (highMMIOBaseInMB 2147483648 + highMMIOGapInMB 2147483649), past 4294967296 MB"),
        });
        expect(failuresFor({ highMMIOBaseInMB: 2 ** 31, highMMIOGapInMB: 2 ** 31 })).toEqual([]);
        expect(failuresFor({ highMMIOBaseInMB: 0, highMMIOGapInMB: 2 ** 32 - 1 })).toEqual([]);
    });
});

describe("validateKnownArgs() (inputs not known yet: issue 12, item 4)", () => {
    test("reports the known inputs' own failures while others are unknown", () => {
        expect(validateKnownArgs({ layerFolders: LAYERS, processorLimit: -5, owner: "" }, ["host", "memorySizeInMB"]).map((f) => f.field)).toEqual([
            "owner",
            "processorLimit",
        ]);
    });

    test("does not call an unknown layerFolders missing, and still does when it is only absent", () => {
        expect(validateKnownArgs({}, ["layerFolders"])).toEqual([]);
        expect(validateKnownArgs({}, []).map((f) => f.field)).toEqual(["layerFolders"]);
    });

    test.each([
        ["adoptExisting", { adoptExisting: true }, "computeSystemId", undefined],
        ["the memory backing rules", { fullyPhysicallyBacked: true, enableDeferredCommit: true }, "allowOvercommit", false],
        ["the memory backing rules", { allowOvercommit: true, enableDeferredCommit: true }, "fullyPhysicallyBacked", true],
        ["the high MMIO region", { highMMIOGapInMB: 2 ** 32 - 1 }, "highMMIOBaseInMB", 2],
    ])("leaves %s of %p unjudged while %s is unknown, and judges it once that is %p", (_rule, known, unknown, value) => {
        expect(validateKnownArgs({ layerFolders: LAYERS, ...known }, [unknown])).toEqual([]);
        expect(validateKnownArgs({ layerFolders: LAYERS, ...known, [unknown]: value }, [])).toHaveLength(1);
    });

    // The promise callers rely on: what it reports for the known inputs, validateArgs reports for the
    // whole inputs, whatever the unknown one turns out to be.
    const CANDIDATES: Record<string, unknown[]> = {
        layerFolders: [LAYERS, ["C:\\only-one"], 7],
        computeSystemId: ["vm-1", "CON", 3],
        allowOvercommit: [true, false, "yes"],
        enableDeferredCommit: [true, false],
        fullyPhysicallyBacked: [true, false],
        highMMIOBaseInMB: [0, 2 ** 31, 2 ** 32 - 1, -1],
        highMMIOGapInMB: [0, 2 ** 31, 2 ** 32 - 1],
        adoptExisting: [true, false],
    };
    const KNOWN_SETS: Record<string, unknown>[] = [
        { layerFolders: LAYERS, adoptExisting: true },
        { layerFolders: LAYERS, fullyPhysicallyBacked: true, enableDeferredCommit: true },
        { layerFolders: LAYERS, allowOvercommit: true, enableDeferredCommit: true, fullyPhysicallyBacked: false },
        { layerFolders: LAYERS, highMMIOBaseInMB: 2 ** 31, highMMIOGapInMB: 2 ** 31 + 1, owner: "" },
        { processorLimit: 100001, adoptExisting: true, computeSystemId: "vm-1" },
    ];
    test.each(KNOWN_SETS.flatMap((known) => Object.keys(CANDIDATES).map((unknown) => [known, unknown] as const)))(
        "for %p with %s unknown, reports only what validateArgs reports for every value it may take",
        (known, unknown) => {
            const rest = Object.fromEntries(Object.entries(known).filter(([key]) => key !== unknown));
            const reported = validateKnownArgs(rest, [unknown]);
            for (const value of CANDIDATES[unknown]!) {
                const whole = validateArgs({ ...rest, [unknown]: value });
                for (const failure of reported) expect(whole).toContainEqual(failure);
            }
        },
    );
});
