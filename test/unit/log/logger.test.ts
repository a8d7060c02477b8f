/**
 * The logger writes structured JSON to stderr only (stdout carries command results), takes its
 * level from PULUMI_HCS_LOG_LEVEL, and redacts secrets. Each case runs in a child process, because
 * the level is read when the module loads.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const LOGGER = path.resolve(__dirname, "../../../provider/dist/src/log/logger.js");

function logIn(script: string, level: string | undefined, extraEnv: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
    const env = { ...process.env, ...extraEnv };
    delete env.PULUMI_HCS_LOG_LEVEL;
    if (level !== undefined) env.PULUMI_HCS_LOG_LEVEL = level;
    const imports = `const { log, routeWarnings, writeJsonOnStderr } = require(${JSON.stringify(LOGGER)});`;
    const result = spawnSync(process.execPath, ["-e", `${imports} ${script}`], { env, encoding: "utf8" });
    return { stdout: result.stdout, stderr: result.stderr };
}

function jsonLines(text: string): Record<string, unknown>[] {
    return text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
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

    it("gives warnings to a route first: a warning it takes stays off stderr, one it declines and other levels do not", () => {
        const { stdout, stderr } = logIn(
            `routeWarnings((line) => { console.log(JSON.stringify({ level: line.level, fields: line.fields, message: line.message })); return line.fields.take === true; });
             const child = log.child({ id: "vm1" });
             child.warn({ take: true, n: 2 }, "taken %s", "here"); child.warn({ take: false }, "declined"); child.error("an error")`,
            "warn",
        );
        expect(stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([
            { level: "warn", fields: { id: "vm1", take: true, n: 2 }, message: "taken here" },
            { level: "warn", fields: { id: "vm1", take: false }, message: "declined" },
        ]);
        expect(jsonLines(stderr).map((l) => l.msg)).toEqual(["declined", "an error"]);
    });

    it("writes a taken warning to stderr after all when its route calls toStderr (the engine did not take it)", () => {
        const { stderr } = logIn(`writeJsonOnStderr(false); routeWarnings((line) => { setTimeout(() => line.toStderr(), 1); return true; }); log.child({ id: "vm1" }).warn("undelivered")`, "warn");
        expect(jsonLines(stderr)).toEqual([expect.objectContaining({ level: 40, id: "vm1", msg: "undelivered" })]);
    });

    it("writeJsonOnStderr(false) keeps stderr empty, while PULUMI_HCS_LOG_FILE gets every line, taken warnings too", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-hcs-log-"));
        const file = path.join(dir, "nested", "provider.log");
        try {
            const { stderr } = logIn(`writeJsonOnStderr(false); routeWarnings(() => true); log.info({ id: "vm1" }, "created"); log.warn("clamped"); log.debug("hidden")`, "info", { PULUMI_HCS_LOG_FILE: file });
            expect(stderr).toBe("");
            expect(jsonLines(fs.readFileSync(file, "utf8")).map((l) => [l.level, l.msg])).toEqual([[30, "created"], [40, "clamped"]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
