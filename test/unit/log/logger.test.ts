/**
 * The logger writes structured JSON to stderr only (stdout carries command results), takes its
 * level from PULUMI_HCS_LOG_LEVEL, and redacts secrets. Each case runs in a child process, because
 * the level is read when the module loads.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const LOGGER = path.resolve(__dirname, "../../../provider/dist/src/log/logger.js");

function logIn(script: string, level: string | undefined): { stdout: string; stderr: string } {
    const env = { ...process.env };
    delete env.PULUMI_HCS_LOG_LEVEL;
    if (level !== undefined) env.PULUMI_HCS_LOG_LEVEL = level;
    const result = spawnSync(process.execPath, ["-e", `const { log } = require(${JSON.stringify(LOGGER)}); ${script}`], { env, encoding: "utf8" });
    return { stdout: result.stdout, stderr: result.stderr };
}

describe("log", () => {
    it("writes JSON lines to stderr and nothing to stdout", () => {
        const { stdout, stderr } = logIn(`log.info({ id: "vm1" }, "created utility VM")`, undefined);
        expect(stdout).toBe("");
        const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
        expect(line).toMatchObject({ level: 30, name: "pulumi-hcs", id: "vm1", msg: "created utility VM" });
    });

    it("defaults to info, and PULUMI_HCS_LOG_LEVEL changes the level", () => {
        expect(logIn(`log.debug("hidden")`, undefined).stderr).toBe("");
        expect(logIn(`log.debug("shown")`, "debug").stderr).toContain('"msg":"shown"');
        expect(logIn(`log.warn("quiet")`, "error").stderr).toBe("");
        expect(logIn(`log.info("fallback")`, "nonsense").stderr).toContain('"msg":"fallback"');
    });

    it("loads pino only once a line is written, so a logger that says nothing costs nothing", () => {
        // `.` matches the path separator of either OS.
        const loaded = 'Object.keys(require.cache).some((f) => /node_modules.pino./.test(f))';
        const { stdout } = logIn(`log.debug("hidden"); log.child({ id: "vm1" }).info("hidden too"); console.log(${loaded}); log.warn("shown"); console.log(${loaded})`, "warn");
        expect(stdout).toBe("false\ntrue\n");
    });

    it("a child adds its bindings and keeps the level it was made with", () => {
        const { stderr } = logIn(`const child = log.child({ id: "vm1" }); log.level = "error"; child.info("from the child"); log.info("hidden")`, undefined);
        const lines = stderr.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toEqual([expect.objectContaining({ level: 30, id: "vm1", msg: "from the child" })]);
    });

    it("refuses an unknown level, as pino does", () => {
        const { stderr } = logIn(`try { log.level = "loud"; } catch (e) { console.error(e.message); }`, undefined);
        expect(stderr.trim()).toBe("unknown level loud");
    });

    it("redacts secrets, tokens, passphrases and the simulator's TCP secret", () => {
        const { stderr } = logIn(`log.info({ secret: "s1", token: "t1", request: { authorization: "Bearer t2" }, env: { PULUMI_HCS_SIM_SECRET: "s2", PULUMI_CONFIG_PASSPHRASE: "p1" } }, "connecting")`, undefined);
        for (const secret of ["s1", "t1", "Bearer t2", "s2", "p1"]) expect(stderr).not.toContain(secret);
        expect(stderr.match(/\[REDACTED\]/g)).toHaveLength(5);
    });
});
