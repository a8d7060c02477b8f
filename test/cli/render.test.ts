import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../provider/src/cli/render";
import { materialize, snapshotTree } from "../vectors/vector-cases";

const REPO = path.resolve(__dirname, "../..");
const CLI = path.join(REPO, "provider", "bin", "pulumi-hcs.js");
const LAYERS = ["C:\\layers\\base", "C:\\uvms\\vm1"];
const BASE_FILES = ["C:\\layers\\base\\UtilityVM\\Files\\", "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx"];
const V4_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let root: string;
let work: string;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "render-root-"));
    work = fs.mkdtempSync(path.join(os.tmpdir(), "render-work-"));
});

afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
});

interface Outcome {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `render` in this process, capturing what it writes. */
async function render(args: string[]): Promise<Outcome> {
    let stdout = "";
    let stderr = "";
    const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        stdout += String(chunk);
        return true;
    });
    const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
    });
    try {
        return { code: await run(args), stdout, stderr };
    } finally {
        out.mockRestore();
        err.mockRestore();
    }
}

/** Runs the real `pulumi-hcs` command (needs `npx tsc -b provider`). */
function spawnCli(args: string[], input?: string): Outcome {
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, timeout: 20_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function argsFile(args: unknown): string {
    const file = path.join(work, "args.json");
    fs.writeFileSync(file, JSON.stringify(args));
    return file;
}

const hostOptions = (lps = 8, build = 20348): string[] => ["--root", root, "--logical-processors", String(lps), "--build", String(build)];

describe("pulumi-hcs render --help", () => {
    test("explains every option and the exit codes, and exits 0", async () => {
        const { code, stdout, stderr } = await render(["--help"]);
        expect(code).toBe(0);
        expect(stderr).toBe("");
        for (const text of ["--args FILE", '"-" reads standard input', "--root DIR", "DIR/fs/c/a/b", "--logical-processors N", "--build N", "--creator-processors N", "--pretty", "-h, --help", "exit codes:", "  0 ", "  2 ", "  1 ", "computeSystemId"]) {
            expect(stdout).toContain(text);
        }
    });

    test("is what the installed command prints through the dispatcher", () => {
        const { code, stdout } = spawnCli(["render", "--help"]);
        expect(code).toBe(0);
        expect(stdout).toContain("usage: pulumi-hcs render --args FILE --root DIR --logical-processors N --build N [--creator-processors N] [--pretty]");
    });
});

describe("pulumi-hcs render command-line errors", () => {
    test.each([
        [[], "missing --args FILE"],
        [["--args", "x.json"], "missing --root DIR"],
        [["--args", "x.json", "--root", "/"], "missing --logical-processors N"],
        [["--args", "x.json", "--root", "/", "--logical-processors", "2"], "missing --build N"],
        [["--args", "x.json", "--root", "/", "--logical-processors", "0", "--build", "1"], '--logical-processors must be an integer of at least 1, got "0"'],
        [["--args", "x.json", "--root", "/", "--logical-processors", "1.5", "--build", "1"], '--logical-processors must be an integer of at least 1, got "1.5"'],
        [["--args", "x.json", "--root", "/", "--logical-processors", "2", "--build=-3"], '--build must be an integer of at least 1, got "-3"'],
        [["--args", "x.json", "--root", "/", "--logical-processors", "2", "--build", "-3"], "Option '--build' argument is ambiguous"],
        [["--args", "x.json", "--root", "/", "--logical-processors", "2", "--build", "1", "--creator-processors", "0"], '--creator-processors must be an integer of at least 1, got "0"'],
        [["--bogus"], "Unknown option '--bogus'"],
        [["positional"], "Unexpected argument 'positional'"],
    ])("refuses %p with exit 2 and a usage message", async (args, message) => {
        const { code, stdout, stderr } = await render(args);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr.startsWith("pulumi-hcs render: ")).toBe(true);
        expect(stderr).toContain(message);
        expect(stderr).toContain("usage: pulumi-hcs render");
    });

    test("refuses a root that does not exist", async () => {
        const { code, stderr } = await render(["--args", argsFile({ layerFolders: LAYERS }), ...hostOptions().map((a) => (a === root ? path.join(root, "nope") : a))]);
        expect(code).toBe(2);
        expect(stderr).toContain("does not exist; give the simulated host's root directory");
    });

    test("refuses an unreadable args file", async () => {
        const { code, stderr } = await render(["--args", path.join(work, "missing.json"), ...hostOptions()]);
        expect(code).toBe(2);
        expect(stderr).toMatch(/^pulumi-hcs render: cannot read --args .*missing\.json: /);
    });

    test("refuses an args file that is not JSON", async () => {
        const file = path.join(work, "bad.json");
        fs.writeFileSync(file, "{ layerFolders: [ }");
        const { code, stderr } = await render(["--args", file, ...hostOptions()]);
        expect(code).toBe(2);
        expect(stderr).toMatch(/^pulumi-hcs render: --args .*bad\.json is not valid JSON: /);
    });

    test("refuses an integer JavaScript cannot hold exactly, quoting it as written, not as rounded, with every other failure", async () => {
        const file = path.join(work, "inexact.json");
        fs.writeFileSync(file, '{"layerFolders": ["C:\\\\layers\\\\base"], "memorySizeInMB": 9007199254740993}');
        const { code, stderr } = await render(["--args", file, ...hostOptions()]);
        expect(code).toBe(2);
        const lines = stderr.trimEnd().split("\n");
        expect(lines).toEqual([
            expect.stringMatching(/^layerFolders: at least 2 LayerFolders must be supplied/),
            "memorySizeInMB: 9007199254740993 cannot be represented exactly (JavaScript reads it as 9007199254740992); integers go up to 9007199254740991",
        ]);
    });
});

describe("pulumi-hcs render with invalid inputs", () => {
    test("reports inputs that are not an object as an input failure", async () => {
        const { code, stderr } = await render(["--args", argsFile(["C:\\a"]), ...hostOptions()]);
        expect(code).toBe(2);
        expect(stderr).toBe('args: the WcowUtilityVm inputs must be an object like { "layerFolders": ["C:\\layers\\base", "C:\\uvms\\vm1"] }, got an array of 1 item\n');
    });

    test("prints every failure, one per line as field: message, host checks included", async () => {
        materialize(root, ["C:\\layers\\base\\Files\\", "C:\\crash"]);
        const { code, stdout, stderr } = await render([
            "--args",
            argsFile({ layerFolders: LAYERS, dumpDirectoryPath: "C:\\crash", processorWeight: 20_000, bogus: true }),
            ...hostOptions(),
        ]);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        const lines = stderr.trimEnd().split("\n");
        expect(lines).toEqual([
            expect.stringMatching(/^bogus: unknown input "bogus"/),
            expect.stringMatching(/^processorWeight: must be an integer from 0 to 10000/),
            "layerFolders: failed to locate utility VM folder from layer folders: utility VM folder could not be found in layers " +
                "(none of C:\\layers\\base\\UtilityVM, C:\\uvms\\vm1\\UtilityVM exists; include the base layer that holds UtilityVM in layerFolders)",
            "dumpDirectoryPath: dump directory path C:\\crash isn't a directory (it is a file; choose a folder)",
        ]);
    });

    test("reports a missing dump directory with hcsshim's stat wording", async () => {
        materialize(root, BASE_FILES);
        const { code, stderr } = await render(["--args", argsFile({ layerFolders: LAYERS, dumpDirectoryPath: "C:\\crash" }), ...hostOptions()]);
        expect(code).toBe(2);
        expect(stderr).toBe("dumpDirectoryPath: failed to stat dump directory C:\\crash: it does not exist on the host (create the folder there, or choose an existing one)\n");
    });

    test("refuses what CreateWCOW refuses at the scratch step, in its words, on the input to fix", async () => {
        materialize(root, ["C:\\layers\\base\\UtilityVM\\Files\\", "C:\\uvms\\vm1"]);
        const { code, stdout, stderr } = await render(["--args", argsFile({ layerFolders: LAYERS }), ...hostOptions()]);
        expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
        expect(stderr).toBe(
            "layerFolders[1]: failed to create scratch: failed CopyFileW Win32 call from 'C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx' " +
                "to 'C:\\uvms\\vm1\\sandbox.vhdx': the scratch folder C:\\uvms\\vm1 is a file, so sandbox.vhdx cannot be created in it; " +
                "remove the file, or choose another scratch folder as the last entry of layerFolders\n",
        );
    });

    test("keeps a failure on one line when an unknown input's name has a newline", async () => {
        const { stderr } = await render(["--args", argsFile({ layerFolders: LAYERS, "bad\nname": 1 }), ...hostOptions()]);
        expect(stderr.split("\n")[0]).toMatch(/^bad\\u000aname: unknown input "bad\\u000aname"/);
    });
});

describe("pulumi-hcs render output", () => {
    test("prints the compact document and a newline, and creates nothing", async () => {
        materialize(root, BASE_FILES);
        const before = snapshotTree(root);
        const { code, stdout, stderr } = await render(["--args", argsFile({ layerFolders: LAYERS }), ...hostOptions()]);
        expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
        expect(stdout.endsWith("}\n")).toBe(true);
        expect(stdout.split("\n")).toHaveLength(2);
        expect(JSON.parse(stdout)).toMatchObject({ Owner: "pulumi-hcs", VirtualMachine: { Devices: { Scsi: { "df6d0690-79e5-55b6-a5ec-c1e2f77f580a": { Attachments: { "0": { Path: "C:\\uvms\\vm1\\sandbox.vhdx" } } } } } } });
        expect(snapshotTree(root)).toEqual(before);
        expect(fs.existsSync(path.join(root, "fs", "c", "uvms"))).toBe(false);
    });

    test("indents the same document with --pretty", async () => {
        materialize(root, BASE_FILES);
        const file = argsFile({ layerFolders: LAYERS });
        const compact = await render(["--args", file, ...hostOptions()]);
        const pretty = await render(["--args", file, ...hostOptions(), "--pretty"]);
        expect(pretty.code).toBe(0);
        expect(pretty.stdout).toContain('{\n  "Owner": "pulumi-hcs",\n  "SchemaVersion": {\n    "Major": 2,');
        expect(JSON.parse(pretty.stdout)).toEqual(JSON.parse(compact.stdout));
    });

    test("generates a new lowercase v4 GUID when computeSystemId is not given", async () => {
        materialize(root, [...BASE_FILES, "C:\\crash\\"]);
        const file = argsFile({ layerFolders: LAYERS, dumpDirectoryPath: "C:\\crash" });
        const ids = [];
        for (let i = 0; i < 2; i++) {
            const { code, stdout } = await render(["--args", file, ...hostOptions()]);
            expect(code).toBe(0);
            const name = (JSON.parse(stdout) as { VirtualMachine: { DebugOptions: { BugcheckSavedStateFileName: string } } }).VirtualMachine.DebugOptions
                .BugcheckSavedStateFileName;
            const id = /^C:\\crash\\(.*)-savedstate\.vmrs$/.exec(name)?.[1] ?? "";
            expect(id).toMatch(V4_GUID);
            ids.push(id);
        }
        expect(ids[0]).not.toBe(ids[1]);
    });

    test("uses the given computeSystemId", async () => {
        materialize(root, [...BASE_FILES, "C:\\crash\\"]);
        const { stdout } = await render(["--args", argsFile({ layerFolders: LAYERS, dumpDirectoryPath: "C:\\crash", computeSystemId: "vm-7" }), ...hostOptions()]);
        expect(stdout).toContain('"BugcheckSavedStateFileName":"C:\\\\crash\\\\vm-7-savedstate.vmrs"');
    });

    test("finds layer folders case-insensitively, as Windows does", async () => {
        materialize(root, BASE_FILES);
        const { code, stdout } = await render(["--args", argsFile({ layerFolders: ["C:\\LAYERS\\Base", "C:\\uvms\\vm1"] }), ...hostOptions()]);
        expect(code).toBe(0);
        expect(stdout).toContain('"Path":"C:\\\\LAYERS\\\\Base\\\\UtilityVM\\\\Files"');
    });

    test("keeps the drive letter as written, as hcsshim's filepath.Join does", async () => {
        materialize(root, [...BASE_FILES, "C:\\crash\\"]);
        const file = argsFile({ layerFolders: ["c:\\layers\\base", "c:/uvms/vm1/"], dumpDirectoryPath: "c:\\crash", computeSystemId: "vm-7" });
        const { code, stdout } = await render(["--args", file, ...hostOptions()]);
        expect(code).toBe(0);
        const vm = (JSON.parse(stdout) as { VirtualMachine: Record<string, Record<string, unknown>> }).VirtualMachine;
        expect(vm.Devices).toMatchObject({
            Scsi: { "df6d0690-79e5-55b6-a5ec-c1e2f77f580a": { Attachments: { "0": { Path: "c:\\uvms\\vm1\\sandbox.vhdx" } } } },
            VirtualSmb: { Shares: [{ Path: "c:\\layers\\base\\UtilityVM\\Files" }] },
        });
        expect(vm.DebugOptions).toEqual({
            BugcheckSavedStateFileName: "c:\\crash\\vm-7-savedstate.vmrs",
            BugcheckNoCrashdumpSavedStateFileName: "c:\\crash\\vm-7-savedstate_nocrashdump.vmrs",
        });
    });

    test("sends cpuGroupId as written, braces and upper case kept, as hcsshim does", async () => {
        materialize(root, BASE_FILES);
        const group = "{7D6B2C1E-3F4A-4B5C-9D8E-0A1B2C3D4E5F}";
        const { code, stdout } = await render(["--args", argsFile({ layerFolders: LAYERS, cpuGroupId: group }), ...hostOptions()]);
        expect(code).toBe(0);
        expect(stdout).toContain(`"Processor":{"Count":2,"CpuGroup":{"Id":"${group}"}}`);
    });

    test("defaults processorCount for the creating process's CPUs (--creator-processors), not the host's", async () => {
        materialize(root, BASE_FILES);
        const file = argsFile({ layerFolders: LAYERS });
        const count = async (extra: string[]): Promise<unknown> =>
            (JSON.parse((await render(["--args", file, ...hostOptions(8), ...extra])).stdout) as { VirtualMachine: { ComputeTopology: { Processor: { Count: number } } } })
                .VirtualMachine.ComputeTopology.Processor.Count;
        expect(await count(["--creator-processors", "1"])).toBe(1);
        expect(await count(["--creator-processors", "2"])).toBe(2);
        expect(await count(["--creator-processors", "64"])).toBe(2);
        // Without the option: this process's, as when the provider creates the VM from it.
        expect(await count([])).toBe(os.availableParallelism() === 1 ? 1 : 2);
    });

    test("reads the inputs from standard input with --args -", () => {
        materialize(root, BASE_FILES);
        const { code, stdout } = spawnCli(["render", "--args", "-", ...hostOptions()], JSON.stringify({ layerFolders: LAYERS, owner: "stdin" }));
        expect(code).toBe(0);
        expect(JSON.parse(stdout)).toMatchObject({ Owner: "stdin" });
    });

    test("logs hcsshim's warnings with requested and assigned on standard error", () => {
        materialize(root, BASE_FILES);
        const { code, stdout, stderr } = spawnCli(["render", "--args", argsFile({ layerFolders: LAYERS, processorCount: 16, memorySizeInMB: 1023 }), ...hostOptions(4)]);
        expect(code).toBe(0);
        const logs = stderr.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(logs).toEqual([
            expect.objectContaining({ level: 40, msg: "Changing user requested MemorySizeInMB to align to 2MB", requested: 1023, assigned: 1024 }),
            expect.objectContaining({ level: 40, msg: "Changing user requested CPUCount to current number of processors", requested: 16, assigned: 4 }),
        ]);
        expect(JSON.parse(stdout)).toMatchObject({ VirtualMachine: { ComputeTopology: { Memory: { SizeInMB: 1024 }, Processor: { Count: 4 } } } });
    });

    test("exits 2 through the installed command for invalid inputs", () => {
        const { code, stderr } = spawnCli(["render", "--args", argsFile({ layerFolders: ["C:\\a"] }), ...hostOptions()]);
        expect(code).toBe(2);
        expect(stderr).toContain("layerFolders: at least 2 LayerFolders must be supplied");
    });
});
