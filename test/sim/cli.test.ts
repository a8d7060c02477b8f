// `pulumi-hcs sim` and its subcommands, run as a user would.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { processRunning } from "../../provider/src/cli/sim";
import { parseHostTarget } from "../../provider/src/model/host-target";
import { providerRoot } from "../../provider/sim/service/launch";
import { DEFAULT_LAYER, TEMPLATE_SIGNATURE } from "../../provider/sim/service/seed-layers";
import { localPathOf } from "../../provider/sim/service/windows-path";

const bin = path.join(providerRoot(), "bin", "pulumi-hcs.js");

type Run = { status: number | null; stdout: string; stderr: string };

function cli(...args: string[]): Run {
    return cliWithEnv({}, "sim", ...args);
}

/** Any `pulumi-hcs` command, with `env` over this process's environment. */
function cliWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Run {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30000, env: { ...process.env, PULUMI_HCS_LOG_LEVEL: "warn", ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A file's permission bits, e.g. 0o600. */
function modeOf(file: string): number {
    return fs.statSync(file).mode & 0o777;
}

describe("help", () => {
    it.each([[[]], [["stop"]], [["state"]], [["fault"]], [["kill"]], [["seed-layers"]]])("sim %j --help explains itself", (sub) => {
        const r = cli(...sub, "--help");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^usage: pulumi-hcs sim/);
    });

    it("sim --help gives the host string in the form PULUMI_HCS_HOST takes", () => {
        const help = cli("--help").stdout;
        expect(help).toContain("export PULUMI_HCS_HOST=sim:/abs/DIR/hcs.sock");
        expect(help).toContain("export PULUMI_HCS_HOST=sim:tcp:127.0.0.1:PORT PULUMI_HCS_SIM_SECRET=<secret>");
        expect(parseHostTarget("sim:/abs/DIR/hcs.sock")).toMatchObject({ ok: true, text: "sim:/abs/DIR/hcs.sock" });
        expect(parseHostTarget("sim:tcp:127.0.0.1:40123")).toMatchObject({ ok: true, text: "sim:tcp:127.0.0.1:40123" });
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

describe("the README", () => {
    it("creates its first example's VM from the base layer seed-layers makes by default", () => {
        const readme = fs.readFileSync(path.join(providerRoot(), "..", "README.md"), "utf8");
        const firstExample = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
        const layerFolders = /layerFolders: \[("(?:[^"\\]|\\.)*")/.exec(firstExample)!;
        expect(JSON.parse(layerFolders[1]!)).toBe(DEFAULT_LAYER);
    });
});

describe("a detached service that cannot start", () => {
    it("reports the lines it wrote to sim.log, not an earlier run's", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-cli-"));
        try {
            fs.writeFileSync(path.join(root, "sim.log"), "an earlier run's line\n");
            const r = cli("--root", root, "--detach", "--build", "100");
            expect(r.status).toBe(1);
            expect(r.stdout).toBe("");
            expect(r.stderr).toContain("the background service did not become ready (it exited: code 1)");
            expect(r.stderr).toContain("Cannot simulate build 100");
            expect(r.stderr).not.toContain("an earlier run's line");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("a detached service", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-cli-"));
    /** A secret of the operator's own, given in the environment. */
    const secret = `operator-secret-${process.pid}-${Date.now()}`;
    let pid = 0;
    let ready: { host: string; tcpHost: string; tcp: string; secret: string };

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
        // A log an older version left world-readable, and every log line the service can write.
        fs.writeFileSync(path.join(root, "sim.log"), "", { mode: 0o644 });
        fs.chmodSync(path.join(root, "sim.log"), 0o644);
        const r = cliWithEnv({ PULUMI_HCS_SIM_SECRET: secret, PULUMI_HCS_LOG_LEVEL: "trace" },
            "sim", "--root", root, "--detach", "--logical-processors", "4", "--build", "19041", "--tcp", "127.0.0.1:0");
        expect(r.status).toBe(0);
        ready = JSON.parse(r.stdout);
        pid = (ready as unknown as { pid: number }).pid;
        const socket = path.join(root, "hcs.sock");
        expect(ready).toMatchObject({ host: `sim:${socket}`, socket, address: `unix:${socket}`, control: path.join(root, "control.sock"), root, secret });
        expect(ready.tcp).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(ready.tcpHost).toBe(`sim:tcp:${ready.tcp}`);
        expect(JSON.parse(fs.readFileSync(path.join(root, "sim.json"), "utf8"))).toEqual(ready);
        expect(fs.readFileSync(path.join(root, "sim.pid"), "utf8").trim()).toBe(String(pid));
    });

    it("its host strings are what PULUMI_HCS_HOST takes, as printed", () => {
        for (const host of [ready.host, ready.tcpHost]) expect(parseHostTarget(host)).toMatchObject({ ok: true, text: host });
        const overSocket = cliWithEnv({ PULUMI_HCS_HOST: ready.host }, "ps");
        expect(overSocket.stderr).toBe("");
        expect(overSocket.status).toBe(0);
        expect(overSocket.stdout).toMatch(/^ID\s+NAME/);
        const overTcp = cliWithEnv({ PULUMI_HCS_HOST: ready.tcpHost, PULUMI_HCS_SIM_SECRET: secret }, "ps");
        expect(overTcp.status).toBe(0);
        const wrongSecret = cliWithEnv({ PULUMI_HCS_HOST: ready.tcpHost, PULUMI_HCS_SIM_SECRET: "not-the-secret" }, "ps");
        expect(wrongSecret.status).toBe(1);
        expect(wrongSecret.stderr).toContain("TCP clients must send the service's secret");
    });

    it("keeps the secret out of sim.log, and sim.log and sim.json readable by their owner only", () => {
        const log = fs.readFileSync(path.join(root, "sim.log"), "utf8");
        // The log has the service's lines, the refused client's among them, but not the secret.
        expect(log).toContain("simulator ready");
        expect(log).toContain("refused a client");
        expect(log).not.toContain(secret);
        expect(fs.readFileSync(path.join(root, "sim.json"), "utf8")).toContain(secret);
        expect(modeOf(path.join(root, "sim.log"))).toBe(0o600);
        expect(modeOf(path.join(root, "sim.json"))).toBe(0o600);
    });

    it("refuses a second service on the same root", () => {
        const r = cli("--root", root);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("already running");
    });

    it("--detach on a busy root says so in one line, without the running service's log", () => {
        const r = cli("--root", root, "--detach");
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`pulumi-hcs sim: Cannot start the simulator: one is already running on ${root} (pid ${pid}); ` +
            `stop it with \`pulumi-hcs sim stop --root ${root}\`\n`);
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
