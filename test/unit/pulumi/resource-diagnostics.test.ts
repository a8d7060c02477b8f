/**
 * Inside Pulumi, a warning the provider logs becomes a diagnostic for the engine: in plain words,
 * under the resource of the call that logged it, delivered before that call answers; a warning the
 * engine does not take is written to stderr as JSON instead. Each case runs in a child process
 * (the built provider), with a stand-in for the engine's Log service.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const DIST = path.resolve(__dirname, "../../../provider/dist/src");

/** Runs `script` with `log`, `forResource`, `sendWarningsTo` and an `engine` stand-in recording what it is sent. */
function run(script: string, engineRefuses = false): { sent: unknown[]; stdout: string; stderr: string } {
    const env = { ...process.env };
    delete env.PULUMI_HCS_LOG_LEVEL;
    const prelude = `
        const { log, writeJsonOnStderr } = require(${JSON.stringify(path.join(DIST, "log/logger.js"))});
        const { forResource, sendWarningsTo } = require(${JSON.stringify(path.join(DIST, "pulumi/resource-diagnostics.js"))});
        log.level = "warn";
        writeJsonOnStderr(false);
        const sent = [];
        const engine = {
            send: (d) => new Promise((resolve, reject) => setTimeout(() => ${engineRefuses} ? reject(new Error("engine gone")) : (sent.push(d), resolve()), 5)),
            close() {},
        };
        sendWarningsTo(engine);
        const report = (label) => console.log(JSON.stringify({ label, sent }));
    `;
    const result = spawnSync(process.execPath, ["-e", `${prelude}\n${script}`], { env, encoding: "utf8" });
    const lines = result.stdout.trim().split("\n").filter((l) => l !== "");
    const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]!) as { sent: unknown[] }) : { sent: [] };
    if (result.status !== 0) throw new Error(`the script failed:\n${result.stderr}`);
    return { sent: last.sent, stdout: result.stdout, stderr: result.stderr };
}

describe("sendWarningsTo and forResource", () => {
    it("sends a call's warning under its resource, in plain words, before the call returns", () => {
        const { sent, stderr } = run(`
            forResource("urn:pulumi:test::p::hcs:WcowUtilityVm::a", async () => {
                log.child({ id: "vm-a" }).warn({ field: "processorCount", requested: 16, assigned: 8 }, "Changing user requested CPUCount to current number of processors");
                return "answer";
            }).then(() => report("returned"));
        `);
        expect(sent).toEqual([{
            severity: "warning",
            urn: "urn:pulumi:test::p::hcs:WcowUtilityVm::a",
            message: "processorCount: Changing user requested CPUCount to current number of processors (id: vm-a, requested: 16, assigned: 8)",
        }]);
        expect(stderr).toBe("");
    });

    it("keeps concurrent calls' resources apart, and sends a warning outside any call under the stack", () => {
        const { sent } = run(`
            const call = (name) => forResource("urn:" + name, async () => {
                await new Promise((r) => setTimeout(r, name === "a" ? 10 : 1));
                log.warn("from " + name);
            });
            log.warn("from no call");
            Promise.all([call("a"), call("b")]).then(() => new Promise((r) => setTimeout(r, 20))).then(() => report("done"));
        `);
        expect(sent).toEqual(expect.arrayContaining([
            { severity: "warning", urn: "urn:a", message: "from a" },
            { severity: "warning", urn: "urn:b", message: "from b" },
            { severity: "warning", urn: undefined, message: "from no call" },
        ]));
        expect(sent).toHaveLength(3);
    });

    it("writes a warning the engine does not take to stderr as JSON, and still lets the call return", () => {
        const { sent, stderr } = run(`
            forResource("urn:a", async () => { log.child({ id: "vm-a" }).warn("the scratch disk is gone"); }).then(() => report("returned"));
        `, true);
        expect(sent).toEqual([]);
        expect(JSON.parse(stderr.trim())).toMatchObject({ level: 40, id: "vm-a", msg: "the scratch disk is gone" });
    });

    it("delivers the warnings of a call that throws before the error leaves it", () => {
        const { sent } = run(`
            forResource("urn:a", async () => { log.warn("about to fail"); throw new Error("failed"); })
                .catch(() => report("threw"));
        `);
        expect(sent).toEqual([{ severity: "warning", urn: "urn:a", message: "about to fail" }]);
    });
});
