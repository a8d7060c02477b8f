// `pulumi-hcs sim` and its subcommands, run as a user would.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { processRunning } from "../../provider/src/cli/sim";
import { providerRoot } from "../../provider/sim/service/launch";
import { TEMPLATE_SIGNATURE } from "../../provider/sim/service/seed-layers";
import { localPathOf } from "../../provider/sim/service/windows-path";

const bin = path.join(providerRoot(), "bin", "pulumi-hcs.js");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [bin, "sim", ...args], { encoding: "utf8", timeout: 30000, env: { ...process.env, PULUMI_HCS_LOG_LEVEL: "warn" } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("help", () => {
    it.each([[[]], [["stop"]], [["state"]], [["fault"]], [["kill"]], [["seed-layers"]]])("sim %j --help explains itself", (sub) => {
        const r = cli(...sub, "--help");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^usage: pulumi-hcs sim/);
    });

    it("a missing --root or an unknown option is a usage error (exit 2)", () => {
        const noRoot = cli("state");
        expect(noRoot.status).toBe(2);
        expect(noRoot.stderr).toContain("--root DIR is required");
        const unknown = cli("--root", "/tmp/x", "--bogus");
        expect(unknown.status).toBe(2);
        expect(unknown.stderr).toContain("--bogus");
    });
});

describe("seed-layers", () => {
    it("lays out a fake base layer, idempotently, and prints what it made", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-cli-"));
        try {
            const first = cli("seed-layers", "--root", root);
            expect(first.status).toBe(0);
            expect(first.stdout).toContain("created C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx");
            const template = fs.readFileSync(localPathOf(root, "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx"));
            expect(template.subarray(0, 8).toString("ascii")).toBe(TEMPLATE_SIGNATURE);
            expect(fs.statSync(localPathOf(root, "C:\\layers\\base\\UtilityVM\\Files")).isDirectory()).toBe(true);
            const second = cli("seed-layers", "--root", root);
            expect(second.stdout).not.toContain("created");
            expect(second.stdout).toContain("exists  C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx");
            expect(cli("seed-layers", "--root", root, "--layer", "D:\\other").stdout).toContain("created D:\\other\\UtilityVM\\Files\\Windows\\System32\\ntoskrnl.exe");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("a detached service", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-cli-"));
    let pid = 0;

    afterAll(() => {
        if (pid) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("--detach prints the ready line and leaves the service running", () => {
        const r = cli("--root", root, "--detach", "--logical-processors", "4", "--build", "19041", "--tcp", "127.0.0.1:0");
        expect(r.status).toBe(0);
        const ready = JSON.parse(r.stdout);
        pid = ready.pid;
        expect(ready).toMatchObject({ socket: path.join(root, "hcs.sock"), address: `unix:${path.join(root, "hcs.sock")}`, control: path.join(root, "control.sock"), root });
        expect(ready.tcp).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(ready.secret).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.parse(fs.readFileSync(path.join(root, "sim.json"), "utf8"))).toEqual(ready);
        expect(fs.readFileSync(path.join(root, "sim.pid"), "utf8").trim()).toBe(String(pid));
    });

    it("refuses a second service on the same root", () => {
        const r = cli("--root", root);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("already running");
    });

    it("state shows the host, as a table or as JSON", () => {
        const json = JSON.parse(cli("state", "--root", root, "--json").stdout);
        expect(json).toMatchObject({ pid, build: 19041, logicalProcessors: 4, systems: [], connections: [], openDisks: [], faults: [] });
        const table = cli("state", "--root", root);
        expect(table.status).toBe(0);
        expect(table.stdout).toContain("build 19041, 4 logical processors");
        expect(table.stdout).toContain("systems (0):");
        expect(table.stdout).toContain("open disks (0):");
    });

    it("fault fail / latency / hang / list / clear", () => {
        const fail = cli("fault", "--root", root, "fail", "HcsStartComputeSystem", "--hresult", "0x80370118", "--nth", "2", "--times", "3");
        expect(fail.status).toBe(0);
        expect(JSON.parse(fail.stdout)).toEqual({ kind: "fail", fn: "HcsStartComputeSystem", hresult: "0x80370118", nth: 2, times: 3 });
        expect(cli("fault", "--root", root, "latency", "HcsGetServiceProperties", "50").status).toBe(0);
        expect(cli("fault", "--root", root, "hang", "HcsPauseComputeSystem").status).toBe(0);
        expect(JSON.parse(cli("fault", "--root", root, "list").stdout)).toHaveLength(3);
        expect(JSON.parse(cli("fault", "--root", root, "clear", "HcsPauseComputeSystem").stdout)).toEqual({ removed: 1 });
        expect(JSON.parse(cli("fault", "--root", root, "clear").stdout)).toEqual({ removed: 2 });
        const bad = cli("fault", "--root", root, "hang", "HcsCreateOperation");
        expect(bad.status).toBe(1);
        expect(bad.stderr).toContain("runs inside the client library");
        expect(cli("fault", "--root", root, "fail", "HcsStartComputeSystem").status).toBe(2);
    });

    it("kill names a missing system", () => {
        const r = cli("kill", "--root", root, "no-such-vm");
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("No compute system with ID 'no-such-vm'");
    });

    it("stop stops it and removes its sockets and pid file", () => {
        const r = cli("stop", "--root", root);
        expect(r.status).toBe(0);
        expect(processRunning(pid)).toBe(false);
        pid = 0;
        for (const f of ["hcs.sock", "control.sock", "sim.pid"]) expect(fs.existsSync(path.join(root, f))).toBe(false);
        const again = cli("stop", "--root", root);
        expect(again.status).toBe(1);
        expect(again.stderr).toContain("no simulator is running");
    });
});
