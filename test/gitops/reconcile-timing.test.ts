/**
 * How long one `pulumi-hcs reconcile` pass takes at N VMs on a simulator (docs/operations.md,
 * "Reconcile"): report-only on a converged stack (the drift check alone), and --remediate with one
 * VM killed out of band (check + `up --refresh`). A measurement, not a check of the suite: it runs
 * only with PULUMI_HCS_RECONCILE_TIMING set to the sizes, e.g.
 *   PULUMI_HCS_RECONCILE_TIMING=25,100 npx jest test/gitops/reconcile-timing.test.ts
 */
import { spawn } from "node:child_process";
import path from "node:path";
import type { ReconcileStatus } from "../../provider/src/gitops/reconcile-status";
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(1_800_000);

const SIZES = (process.env.PULUMI_HCS_RECONCILE_TIMING ?? "").split(",").filter(Boolean).map(Number);
const ROOT = path.resolve(__dirname, "../..");

let host: TestHost;
let project: PulumiProject;
if (SIZES.length > 0) useVmsProgram((fixture) => ({ host, project } = fixture), { host: { logicalProcessors: 64 } });

/** Runs one reconcile pass as a separate process; its wall time and its events. */
function reconcileOnce(...extra: string[]): Promise<{ code: number; seconds: number; events: ReconcileStatus[]; stderr: string }> {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, "provider", "bin", "pulumi-hcs.js"), "reconcile", "--cwd", project.dir, "--stack", project.stack, "--json", ...extra], {
        cwd: project.dir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
            ...process.env,
            PATH: [path.join(ROOT, ".tools", "pulumi", "bin"), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(project.dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(project.dir, ".state")}`,
            PULUMI_CONFIG_PASSPHRASE: "pulumi-hcs-tests",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_HCS_HOST: host.hostName,
            PULUMI_HCS_LOG_LEVEL: "warn",
        },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve) => child.on("close", (code) => resolve({
        code: code ?? 1, seconds: (Date.now() - started) / 1000, stderr,
        events: stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ReconcileStatus),
    })));
}

const between = (events: ReconcileStatus[], from: string, to: string) =>
    (Date.parse(events.find((e) => e.reason === to)!.time) - Date.parse(events.find((e) => e.reason === from)!.time)) / 1000;

(SIZES.length > 0 ? describe : describe.skip)("one reconcile pass, timed", () => {
    it.each(SIZES)("N = %i", async (n) => {
        await project.config({ vms: Array.from({ length: n }, (_, i) => ({ name: `vm-${i}`, args: { layerFolders: [BASE_LAYER, `C:\\uvms\\vm-${i}`], memorySizeInMB: 512, processorCount: 1 } })) });
        const upStarted = Date.now();
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const upSeconds = (Date.now() - upStarted) / 1000;

        const clean = await reconcileOnce();
        expect(clean.code).toBe(0);

        const [victim] = utilityVms(await project.exportState());
        await host.sim.control.kill(victim!.id!);
        const fixed = await reconcileOnce("--remediate");
        if (fixed.code !== 0) throw new Error(fixed.stderr);
        expect(fixed.events.at(-1)!.reason).toBe("Remediated");
        await expectHostMatchesStacks(host, [await project.exportState()]);

        console.log(`N=${n}: initial up ${upSeconds.toFixed(1)} s; report-only pass (converged) ${clean.seconds.toFixed(1)} s ` +
            `(check ${between(clean.events, "CheckingDrift", "NoDrift").toFixed(1)} s); remediating pass (1 VM killed) ${fixed.seconds.toFixed(1)} s ` +
            `(check ${between(fixed.events, "CheckingDrift", "Remediating").toFixed(1)} s, up --refresh ${between(fixed.events, "Remediating", "Remediated").toFixed(1)} s)`);
    });
});
