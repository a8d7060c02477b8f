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

    it("redacts secrets, tokens, passphrases and the simulator's TCP secret", () => {
        const { stderr } = logIn(`log.info({ secret: "s1", token: "t1", request: { authorization: "Bearer t2" }, env: { PULUMI_HCS_SIM_SECRET: "s2", PULUMI_CONFIG_PASSPHRASE: "p1" } }, "connecting")`, undefined);
        for (const secret of ["s1", "t1", "Bearer t2", "s2", "p1"]) expect(stderr).not.toContain(secret);
        expect(stderr.match(/\[REDACTED\]/g)).toHaveLength(5);
    });
});
