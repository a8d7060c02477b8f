/**
 * ts-jest only transpiles (isolatedModules), so the type check of everything — provider, simulator,
 * SDK, examples and these tests — runs here, as one test of the suite.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

jest.setTimeout(180_000);

it("type-checks the whole workspace with tsc (strict)", () => {
    const root = path.resolve(__dirname, "../..");
    const result = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
});
