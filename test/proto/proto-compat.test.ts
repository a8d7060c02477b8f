/**
 * scripts/check-proto-compat.js keeps the host agent's v1 API add-only. Each case copies the
 * committed .proto files and snapshot to a temporary folder, makes one real edit to agent.proto,
 * and runs the script there as CI does (a child process), checking its exit status and the line
 * that names the change. The last cases hold the committed snapshot to the committed .proto files.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "scripts/check-proto-compat.js");
const PROTO_DIR = path.join(ROOT, "provider/proto/pulumi_hcs/agent/v1");
const SNAPSHOT = path.join(ROOT, "provider/proto/snapshots/pulumi_hcs.agent.v1.json");

interface Run { status: number | null; stdout: string; stderr: string }

function check(args: string[], cwd = ROOT): Run {
    const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Replaces `from` (which must occur exactly once, so an edit that no longer applies fails loudly). */
function edit(text: string, from: string, to: string): string {
    const occurrences = text.split(from).length - 1;
    if (occurrences !== 1) throw new Error(`expected "${from}" once in agent.proto, found it ${occurrences} times`);
    return text.replace(from, to);
}

let work: string;
let protoDir: string;
let snapshot: string;

beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-hcs-proto-"));
    // The same layout as the repository, so an import of "pulumi_hcs/agent/v1/..." would resolve too.
    protoDir = path.join(work, "proto/pulumi_hcs/agent/v1");
    fs.cpSync(PROTO_DIR, protoDir, { recursive: true });
    snapshot = path.join(work, "proto/snapshots/pulumi_hcs.agent.v1.json");
    fs.mkdirSync(path.dirname(snapshot), { recursive: true });
    fs.copyFileSync(SNAPSHOT, snapshot);
});

afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
});

function editProto(...edits: [string, string][]): void {
    const file = path.join(protoDir, "agent.proto");
    let text = fs.readFileSync(file, "utf8");
    for (const [from, to] of edits) text = edit(text, from, to);
    fs.writeFileSync(file, text);
}

function checkCopy(...extra: string[]): Run {
    return check(["--proto-dir", protoDir, "--snapshot", snapshot, ...extra]);
}

/** The problem lines of a failed run: stderr without the script's own heading and closing advice. */
function problems(run: Run): string[] {
    return run.stderr.trim().split("\n").filter((line) => !line.startsWith("check-proto-compat: "));
}

describe("check-proto-compat: incompatible changes fail", () => {
    it.each<[string, [string, string][], string[]]>([
        ["a removed field",
            [["  string state = 3;\n", ""]],
            ["pulumi_hcs.agent.v1.Vm.state (field 3): removed"]],
        ["a renumbered field",
            [["  string owner = 4;", "  string owner = 19;"]],
            ["pulumi_hcs.agent.v1.Vm.owner (field 4): renumbered to 19"]],
        ["a renamed field",
            [["  string owner = 4;", "  string holder = 4;"]],
            ["pulumi_hcs.agent.v1.Vm.owner (field 4): renamed to holder"]],
        ["a retyped field",
            [["  string state = 3;", "  int32 state = 3;"]],
            ["pulumi_hcs.agent.v1.Vm.state (field 3): type changed from string to int32"]],
        ["a field made repeated",
            [["  string guest_os_type = 8;", "  repeated string guest_os_type = 8;"]],
            ["pulumi_hcs.agent.v1.Vm.guest_os_type (field 8): changed from singular string to repeated string"]],
        ["a repeated field made a map",
            [["  repeated string created_folders = 13;", "  map<string, string> created_folders = 13;"]],
            ["pulumi_hcs.agent.v1.Vm.created_folders (field 13): changed from repeated string to map<string, string>"]],
        ["a removed field's number reused by another",
            [["  string state = 3;", "  int32 exit_code = 3;"]],
            ["pulumi_hcs.agent.v1.Vm.state (field 3): number 3 reused by a different field, exit_code (int32)"]],
        ["a removed method",
            [["  rpc GetVm(GetVmRequest) returns (Vm);\n", ""]],
            ["pulumi_hcs.agent.v1.HostAgent.GetVm: method removed"]],
        ["a method changed to streaming",
            [["rpc ListVms(ListVmsRequest) returns (ListVmsResponse);", "rpc ListVms(ListVmsRequest) returns (stream ListVmsResponse);"]],
            ["pulumi_hcs.agent.v1.HostAgent.ListVms: response changed from unary to streaming"]],
        ["a method's request type changed",
            [["rpc GetVm(GetVmRequest) returns (Vm);", "rpc GetVm(DeleteVmRequest) returns (Vm);"]],
            ["pulumi_hcs.agent.v1.HostAgent.GetVm: request type changed from pulumi_hcs.agent.v1.GetVmRequest to pulumi_hcs.agent.v1.DeleteVmRequest"]],
        ["a removed enum value",
            [["    FOUND_AT_START = 8;\n", ""]],
            ["pulumi_hcs.agent.v1.VmEvent.Kind.FOUND_AT_START (value 8): removed"]],
        ["a renumbered enum value",
            [["  GUEST_CONNECTION_LOST = 2;", "  GUEST_CONNECTION_LOST = 9;"]],
            ["pulumi_hcs.agent.v1.GuestConnection.GUEST_CONNECTION_LOST (value 2): renumbered to 9"]],
        ["a removed message (and the field that used it)",
            [["message FieldFailure {\n  string field = 1;\n  string message = 2;\n}\n", ""],
                ["  repeated FieldFailure failures = 3;", "  repeated string failures = 3;"]],
            ["pulumi_hcs.agent.v1.FieldFailure: message removed",
                "pulumi_hcs.agent.v1.UpdateVmResponse.failures (field 3): type changed from pulumi_hcs.agent.v1.FieldFailure to string"]],
        ["a renamed package (and nothing else)",
            [["package pulumi_hcs.agent.v1;", "package pulumi_hcs.agent.v2;"]],
            ["package: renamed from pulumi_hcs.agent.v1 to pulumi_hcs.agent.v2"]],
        ["a renamed package with a removed field",
            [["package pulumi_hcs.agent.v1;", "package pulumi_hcs.agent.v2;"], ["  string state = 3;\n", ""]],
            ["package: renamed from pulumi_hcs.agent.v1 to pulumi_hcs.agent.v2", "pulumi_hcs.agent.v1.Vm.state (field 3): removed"]],
    ])("%s", (_name, edits, expected) => {
        editProto(...edits);
        const before = fs.readFileSync(snapshot, "utf8");
        const run = checkCopy();
        expect(run.status).toBe(1);
        expect(problems(run)).toEqual(expected);
        expect(run.stderr).toContain("is add-only");
        expect(fs.readFileSync(snapshot, "utf8")).toBe(before);
    });

    it("--update refuses to record an incompatible change", () => {
        editProto(["  string state = 3;", "  int32 state = 3;"]);
        const before = fs.readFileSync(snapshot, "utf8");
        const run = checkCopy("--update");
        expect(run.status).toBe(1);
        expect(problems(run)).toEqual(["pulumi_hcs.agent.v1.Vm.state (field 3): type changed from string to int32"]);
        expect(run.stderr).toContain("the snapshot was not written");
        expect(fs.readFileSync(snapshot, "utf8")).toBe(before);
    });

    it("a .proto that does not parse fails, naming the file", () => {
        editProto(["  string state = 3;", "  string state = 3"]);
        const run = checkCopy();
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("cannot read the API");
        expect(run.stderr).toContain("agent.proto");
    });
});

describe("check-proto-compat: additions pass", () => {
    it.each<[string, [string, string][], string]>([
        ["a new field",
            [["  string request_id = 18;\n}", "  string request_id = 18;\n  string zone = 19;\n}"]],
            "added: field pulumi_hcs.agent.v1.Vm.zone (field 19): string"],
        ["a new method",
            [["  rpc Drain(DrainRequest) returns (DrainResponse);", "  rpc Drain(DrainRequest) returns (DrainResponse);\n  rpc Ping(GetAgentInfoRequest) returns (AgentInfo);"]],
            "added: method pulumi_hcs.agent.v1.HostAgent.Ping(pulumi_hcs.agent.v1.GetAgentInfoRequest) returns (pulumi_hcs.agent.v1.AgentInfo)"],
        ["a new enum value",
            [["    FOUND_AT_START = 8;", "    FOUND_AT_START = 8;\n    PAUSED = 9;"]],
            "added: enum value pulumi_hcs.agent.v1.VmEvent.Kind.PAUSED = 9"],
        ["a new message",
            [["message DrainRequest {}", "message DrainRequest {}\n\nmessage Quota {\n  uint64 memory_mb = 1;\n}"]],
            "added: message pulumi_hcs.agent.v1.Quota"],
        ["a new service",
            [["message GetAgentInfoRequest {}", "service Diagnostics {\n  rpc Dump(DrainRequest) returns (stream VmEvent);\n}\n\nmessage GetAgentInfoRequest {}"]],
            "added: service pulumi_hcs.agent.v1.Diagnostics"],
    ])("%s", (_name, edits, addition) => {
        editProto(...edits);
        const before = fs.readFileSync(snapshot, "utf8");
        const run = checkCopy();
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.stdout.split("\n").filter((line) => line.startsWith("added: "))).toEqual([addition]);
        expect(run.stdout).toContain("--update");
        // Only --update writes the snapshot.
        expect(fs.readFileSync(snapshot, "utf8")).toBe(before);
    });

    it("--update records an addition, and the next run finds nothing new", () => {
        editProto(["  string request_id = 18;\n}", "  string request_id = 18;\n  string zone = 19;\n}"]);
        const update = checkCopy("--update");
        expect(update.status).toBe(0);
        expect(update.stdout).toContain("updated");
        const recorded = JSON.parse(fs.readFileSync(snapshot, "utf8")) as { messages: Record<string, { fields: object[] }> };
        expect(recorded.messages["pulumi_hcs.agent.v1.Vm"]?.fields.at(-1)).toMatchObject({ name: "zone", number: 19, label: "singular", type: "string" });

        const next = checkCopy();
        expect(next.status).toBe(0);
        expect(next.stdout).not.toContain("added:");
        // Removing what was just recorded is now caught.
        editProto(["  string zone = 19;\n", ""]);
        const removed = checkCopy();
        expect(removed.status).toBe(1);
        expect(problems(removed)).toEqual(["pulumi_hcs.agent.v1.Vm.zone (field 19): removed"]);
    });
});

describe("check-proto-compat: the snapshot", () => {
    it("without one, says how to create it and fails; --update creates it", () => {
        fs.rmSync(snapshot);
        const run = checkCopy();
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("--update");
        expect(fs.existsSync(snapshot)).toBe(false);

        const update = checkCopy("--update");
        expect(update.status).toBe(0);
        expect(fs.readFileSync(snapshot, "utf8")).toBe(fs.readFileSync(SNAPSHOT, "utf8"));
    });

    it("the committed snapshot matches the committed .proto files, additions included", () => {
        const run = check([]);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        // An addition not yet recorded would pass the script but is not protected until it is:
        // after adding to v1, run `node scripts/check-proto-compat.js --update` and commit the snapshot.
        expect(run.stdout).not.toContain("added:");
        expect(run.stdout).toContain("pulumi_hcs.agent.v1 matches");
    });

    it("rejects an unknown option with a usage message (exit 2)", () => {
        const run = check(["--snapshots", snapshot]);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain("usage:");
    });
});
