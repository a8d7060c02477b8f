/**
 * examples/gitops/pipeline/reconcile.sh's own decisions, each outcome once, with a stand-in `pulumi`
 * (a bash script that answers as CLI 3.274.1 does, from files this test writes) and the real
 * `pulumi-hcs drift-report` on recorded previews (test/gitops/fixtures). The outcomes the real CLI
 * can be made to produce on a simulator (no drift, drift, remediation, a live runner's lock, a killed
 * runner's) are in pipeline.test.ts; these are the rest: bad usage, a check that fails, a remediation
 * that fails or does not converge, and the stale-lock verdict on the lock lines of the other
 * self-managed backends (PostgreSQL, Azure Blob, as docs/operations.md quotes them) and by age.
 */
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DriftSummary } from "../../provider/src/gitops/drift-summary";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "examples", "gitops", "pipeline", "reconcile.sh");
const FIXTURES = path.join(__dirname, "fixtures");

/**
 * The stand-in: records each call in `calls`; `preview` exits with the next code of `preview-codes`
 * (printing the fixture `preview.json` with --json); `stack export` prints `export.json`; `up` and
 * `refresh` print `locked` and exit 1 while it exists, else exit with `up-code`; `cancel` deletes
 * `locked` (unless `cancel-keeps-lock` exists).
 */
const STAND_IN = `#!/usr/bin/env bash
dir="$(dirname "$0")"
echo "$*" >> "$dir/calls"
case "$1" in
  preview)
    codes=($(cat "$dir/preview-codes")); echo "\${codes[@]:1}" > "$dir/preview-codes"
    case " $* " in *" --json "*) cat "$dir/preview.json" ;; esac
    exit "\${codes[0]:-0}" ;;
  stack) cat "$dir/export.json" ;;
  up | refresh)
    if [ -f "$dir/locked" ]; then printf 'error: %s\\n' "$(cat "$dir/locked")" >&2; exit 1; fi
    exit "$(cat "$dir/up-code" 2>/dev/null || echo 0)" ;;
  cancel) [ -f "$dir/cancel-keeps-lock" ] || rm -f "$dir/locked"; echo "The currently running update for 'prod' has been canceled!" ;;
esac
`;

interface Outcome {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** The stand-in's calls, one per line, without the flags every call carries. */
    readonly calls: string[];
    readonly drift?: DriftSummary;
    /** What the notification hook got: its DRIFT_STATUS and DRIFT_EXIT_CODE, and its stdin's length. */
    readonly notified?: string;
}

interface Scenario {
    /** Exit codes of the drift check and of the check after a remediation. */
    readonly previews?: number[];
    readonly fixture?: "drift" | "clean";
    readonly upCode?: number;
    /** The stack's lock, as the refusal's lines after its first. */
    readonly lock?: string;
    readonly pendingCreate?: boolean;
    /** A cancel that leaves the lock (another runner took it again at once, say). */
    readonly cancelKeepsLock?: boolean;
    readonly env?: NodeJS.ProcessEnv;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function reconcile(scenario: Scenario): Promise<Outcome> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-pipeline-"));
    dirs.push(dir);
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "pulumi"), STAND_IN, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "preview-codes"), (scenario.previews ?? [7, 0]).join(" "));
    fs.copyFileSync(path.join(FIXTURES, `preview-refresh-${scenario.fixture ?? "drift"}.json`), path.join(bin, "preview.json"));
    fs.writeFileSync(path.join(bin, "up-code"), String(scenario.upCode ?? 0));
    const pending = scenario.pendingCreate ? [{ type: "creating", resource: { urn: "urn:pulumi:prod::hcs-gitops::pulumi-nodejs:dynamic/hcs:WcowUtilityVm::pool-a-0" } }] : [];
    fs.writeFileSync(path.join(bin, "export.json"), JSON.stringify({ version: 3, deployment: { resources: [], pending_operations: pending } }));
    if (scenario.lock !== undefined) {
        fs.writeFileSync(path.join(bin, "locked"), "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete " +
            `the lock file with \`pulumi cancel\`.\n${scenario.lock}`);
    }
    if (scenario.cancelKeepsLock) fs.writeFileSync(path.join(bin, "cancel-keeps-lock"), "");
    const notified = path.join(dir, "notified");
    return new Promise((resolve) => execFile("bash", [SCRIPT], {
        cwd: dir,
        env: {
            ...process.env,
            PATH: [bin, path.dirname(process.execPath), path.join(ROOT, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
            PROJECT_DIR: dir,
            PULUMI_STACK: "prod",
            PULUMI_BACKEND_URL: "postgres://pulumi@db.example.net:5432/pulumi",
            REMEDIATE: "1",
            NOTIFY_CMD: `echo "$DRIFT_STATUS $DRIFT_EXIT_CODE $(wc -c | tr -d ' ')" > '${notified}'`,
            ...scenario.env,
        },
    }, (err, stdout, stderr) => {
        const file = (name: string) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), "utf8") : undefined);
        resolve({
            code: err ? (typeof err.code === "number" ? err.code : 1) : 0,
            stdout,
            stderr,
            calls: (file("bin/calls") ?? "").split("\n").filter(Boolean).map((c) => c.replace(/ --stack prod --non-interactive$/, "")),
            ...(file("drift.json") !== undefined ? { drift: JSON.parse(file("drift.json")!) as DriftSummary } : {}),
            ...(file("notified") !== undefined ? { notified: file("notified")!.trim() } : {}),
        });
    }));
}

const CHECK = "preview --refresh --expect-no-changes --json";
const UP = "up --refresh --yes --skip-preview";
const VERIFY = "preview --refresh --expect-no-changes";

/** A lock line as the self-managed backends print it (pkg/backend/diy/lock.go). */
function lockLine(url: string, holder: string, pid: number, at: Date): string {
    return `  ${url}: created by ${holder} (pid ${pid}) at ${at.toISOString().replace(/\.\d+Z$/, "Z")}`;
}

/** A process ID that was in use a moment ago and is not now. */
function deadPid(): number {
    return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

describe("reconcile.sh outcomes", () => {
    it("bad usage: exit 2 before anything runs", async () => {
        const noStack = await reconcile({ env: { PULUMI_STACK: "" } });
        expect(noStack).toMatchObject({ code: 2, calls: [] });
        expect(noStack.stderr).toContain("set PULUMI_STACK");
        const badRemediate = await reconcile({ env: { REMEDIATE: "yes" } });
        expect(badRemediate).toMatchObject({ code: 2, calls: [] });
        expect(badRemediate.stderr).toContain("REMEDIATE must be 0 or 1, not 'yes'");
    });

    it("no drift with REMEDIATE=1: exit 0, no update", async () => {
        const outcome = await reconcile({ previews: [0], fixture: "clean" });
        expect(outcome).toMatchObject({ code: 0, calls: [CHECK], notified: expect.stringMatching(/^clean 0 [1-9]\d*$/) });
        expect(outcome.drift?.drifted).toBe(false);
    });

    it("a check that fails (pulumi exits 255: a host out of reach): exit 1, never 'no drift', the hook gets an empty stdin", async () => {
        const outcome = await reconcile({ previews: [255] });
        expect(outcome).toMatchObject({ code: 1, calls: [CHECK], notified: "error 1 0" });
        expect(outcome.drift).toBeUndefined();
        expect(outcome.stderr).toContain("the drift check failed (pulumi exited 255): not a verdict on drift");
    });

    it("drift, report only: exit 3, the summary from the real drift-report", async () => {
        const outcome = await reconcile({ env: { REMEDIATE: "0" } });
        expect(outcome).toMatchObject({ code: 3, calls: [CHECK], notified: expect.stringMatching(/^drifted 3 [1-9]\d*$/) });
        expect(outcome.drift).toMatchObject({ schema: "pulumi-hcs.drift/v1", stack: "prod", drifted: true });
        expect(outcome.stdout).toMatch(/^stack prod: \d+ of \d+ VMs drifted/);
    });

    it("drift, remediated: exit 0 after up and a clean check", async () => {
        expect(await reconcile({})).toMatchObject({ code: 0, calls: [CHECK, "stack export", UP, VERIFY], notified: expect.stringMatching(/^remediated 0 /) });
    });

    it("an up that fails: exit 4", async () => {
        const outcome = await reconcile({ upCode: 255 });
        expect(outcome).toMatchObject({ code: 4, calls: [CHECK, "stack export", UP], notified: expect.stringMatching(/^remediation-failed 4 /) });
        expect(outcome.stderr).toContain("remediation failed (pulumi exited 255)");
    });

    it("an up that succeeds but leaves drift: exit 4 (did not converge)", async () => {
        const outcome = await reconcile({ previews: [7, 7] });
        expect(outcome).toMatchObject({ code: 4, calls: [CHECK, "stack export", UP, VERIFY] });
        expect(outcome.stderr).toContain("the stack did not converge: the drift check after the remediation exited 7");
    });

    it("PostgreSQL's lock line, another machine, fresh: a live runner, exit 5, no cancel", async () => {
        const lock = lockLine("postgres://****:****@db.example.net:5432/pulumi/.pulumi/locks/organization/hcs-gitops/prod/2c921557.json?sslmode=disable",
            "runner@ci-7", 4242, new Date(Date.now() - 60_000));
        const outcome = await reconcile({ lock });
        expect(outcome).toMatchObject({ code: 5, calls: [CHECK, "stack export", UP], notified: expect.stringMatching(/^conflict 5 /) });
        expect(outcome.stderr).toMatch(/live: runner@ci-7 pid 4242, \d+ s old \(postgres:\/\/\*\*\*\*:\*\*\*\*@db\.example\.net/);
    });

    it("PostgreSQL's lock line, another machine, older than STALE_LOCK_AFTER_SECONDS: stale, cancelled, then the up", async () => {
        const lock = lockLine("postgres://****:****@db.example.net:5432/pulumi/.pulumi/locks/organization/hcs-gitops/prod/2c921557.json?sslmode=disable",
            "runner@ci-7", 4242, new Date(Date.now() - 2 * 3600_000));
        const outcome = await reconcile({ lock });
        expect(outcome).toMatchObject({ code: 0, calls: [CHECK, "stack export", UP, "cancel --yes", UP, VERIFY] });
        expect(outcome.stderr).toMatch(/stale: runner@ci-7 pid 4242, \d+ s old \(postgres:[^)]*\): older than 3600 s/);
        // The same lock is live for a longer limit.
        expect(await reconcile({ lock, env: { STALE_LOCK_AFTER_SECONDS: String(3 * 3600) } })).toMatchObject({ code: 5 });
    });

    it("Azure Blob's lock line from this machine, its process gone, with a pending create: refresh cleared after cancel, then the up", async () => {
        const lock = lockLine("azblob://pulumi-state/.pulumi/locks/organization/hcs-gitops/prod/9f3e.json?domain=127.0.0.1:10000&protocol=http",
            `${os.userInfo().username}@${os.hostname()}`, deadPid(), new Date());
        const outcome = await reconcile({ lock, pendingCreate: true });
        expect(outcome).toMatchObject({
            code: 0,
            calls: [CHECK, "stack export", "refresh --yes --skip-preview --clear-pending-creates", "cancel --yes", "refresh --yes --skip-preview --clear-pending-creates", UP, VERIFY],
        });
        expect(outcome.stderr).toMatch(/stale: \S+ pid \d+, \d+ s old \(azblob:[^)]*\): no such process on this machine/);
    });

    it("a stale lock still there after the cancel: one more try, then exit 4, not a loop", async () => {
        const lock = lockLine("file:///state/.pulumi/locks/organization/hcs-gitops/prod/1.json", "runner@ci-7", 4242, new Date(Date.now() - 2 * 3600_000));
        const outcome = await reconcile({ lock, cancelKeepsLock: true });
        expect(outcome).toMatchObject({ code: 4, calls: [CHECK, "stack export", UP, "cancel --yes", UP] });
        expect(outcome.stderr).toContain("the stack is still locked after pulumi cancel");
    });
});
