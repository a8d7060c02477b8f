/** schema.json passes the Pulumi CLI's own validation (`pulumi schema check`), offline. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

it("pulumi schema check accepts schema.json", async () => {
    const { stdout, stderr } = await run(path.join(ROOT, ".tools/pulumi/bin/pulumi"), ["schema", "check", path.join(ROOT, "schema.json")], {
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true", PULUMI_HOME: path.join(ROOT, ".test-work", "schema-check-home") },
    });
    expect(stdout + stderr).toBe("");
});
