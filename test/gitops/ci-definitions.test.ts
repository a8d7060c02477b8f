/**
 * The CI definitions of examples/gitops (ci/github-actions.yml, ci/azure-pipelines.yml) are
 * documentation, never run here: this checks that they parse and say what the README says (a
 * schedule, one run per stack at a time, the client certificate as files, the script run from the
 * project, drift.json kept), and that every variable they hand the script is one it reads. Parsed
 * with the `yaml` package when node_modules has it (it comes with the dev tools, not as a dependency
 * of ours); otherwise the file is skipped, saying so.
 */
import fs from "node:fs";
import path from "node:path";

const EXAMPLE = path.resolve(__dirname, "../../examples/gitops");
const SCRIPT = fs.readFileSync(path.join(EXAMPLE, "pipeline", "reconcile.sh"), "utf8");
/** The default STALE_LOCK_AFTER_SECONDS the script and both definitions use. */
const STALE_LOCK_AFTER_SECONDS = 3600;

type Yaml = { parseDocument(text: string): { errors: unknown[]; toJS(): unknown } };
let yaml: Yaml | undefined;
try {
    yaml = require("yaml") as Yaml;
} catch {
    console.info("test/gitops/ci-definitions.test.ts skipped: the `yaml` package is not in node_modules");
}
const describeIfYaml = yaml ? describe : describe.skip;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function load(file: string): any {
    const document = yaml!.parseDocument(fs.readFileSync(path.join(EXAMPLE, "ci", file), "utf8"));
    expect(document.errors).toEqual([]);
    return document.toJS();
}

/** Each variable a definition sets for the script is one the script (or Pulumi, or the provider it documents) reads. */
function expectKnownToScript(env: Record<string, unknown>): void {
    for (const name of Object.keys(env)) expect([name, new RegExp(`\\b${name}\\b`).test(SCRIPT)]).toEqual([name, true]);
}

describeIfYaml("examples/gitops/ci/github-actions.yml", () => {
    const workflow = load("github-actions.yml");
    const job = workflow.jobs.reconcile;
    const step = (name: string) => job.steps.find((s: { name?: string }) => s.name === name);

    it("runs on a schedule and by hand, one run per stack at a time, queued rather than cancelled", () => {
        expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
        expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(["stack", "remediate"]);
        expect(workflow.concurrency.group).toContain("inputs.stack");
        expect(workflow.concurrency["cancel-in-progress"]).toBe(false);
        expect(job["timeout-minutes"] * 60).toBeLessThan(STALE_LOCK_AFTER_SECONDS);
    });

    it("writes the client certificate from secrets to files, runs the script from the project, keeps drift.json", () => {
        const certificate = step("Write the agent client certificate");
        for (const file of ["ca.pem", "cert.pem", "key.pem"]) expect(certificate.run).toContain(`"$dir/${file}"`);
        expect(certificate.run).toContain("PULUMI_HCS_AGENT_CERT_PATH=$dir");
        expect(Object.values(certificate.env)).toEqual(["${{ secrets.HCS_AGENT_CA }}", "${{ secrets.HCS_AGENT_CERT }}", "${{ secrets.HCS_AGENT_KEY }}"]);

        const reconcile = step("Reconcile");
        expect(reconcile.run).toBe("bash pipeline/reconcile.sh");
        expect(reconcile["working-directory"]).toBe("${{ env.PROJECT_DIR }}");
        expect(workflow.env.PROJECT_DIR).toBe("examples/gitops");
        expect(reconcile.env.STALE_LOCK_AFTER_SECONDS).toBe(String(STALE_LOCK_AFTER_SECONDS));
        expectKnownToScript({ ...workflow.env, ...reconcile.env });

        const keep = step("Keep drift.json");
        expect(keep.uses).toMatch(/^actions\/upload-artifact@/);
        expect(keep.if).toBe("always()");
        expect(keep.with.path).toContain("${{ runner.temp }}/reconcile/drift.json");
        expect(reconcile.env.OUT_DIR).toBe("${{ runner.temp }}/reconcile");
    });
});

describeIfYaml("examples/gitops/ci/azure-pipelines.yml", () => {
    const definition = load("azure-pipelines.yml");
    const job = definition.jobs[0];
    const steps = job.strategy.runOnce.deploy.steps as { displayName?: string; task?: string; bash?: string; env?: Record<string, string>; condition?: string; inputs?: Record<string, string>; workingDirectory?: string }[];

    it("runs on a schedule whether or not git changed, one run per stack at a time (the environment's exclusive lock)", () => {
        expect(definition.trigger).toBe("none");
        expect(definition.schedules[0]).toMatchObject({ always: true });
        expect(definition.lockBehavior).toBe("sequential");
        expect(job.environment).toBe("hcs-${{ parameters.stack }}");
        expect(job.timeoutInMinutes * 60).toBeLessThan(STALE_LOCK_AFTER_SECONDS);
    });

    it("hands the script the client certificate files, runs it from the project, keeps drift.json", () => {
        expect(steps.filter((s) => s.task === "DownloadSecureFile@1").map((s) => s.inputs?.secureFile)).toEqual(["hcs-agent-ca.pem", "hcs-agent-cert.pem", "hcs-agent-key.pem"]);
        const reconcile = steps.find((s) => s.displayName === "Reconcile")!;
        expect(reconcile.bash).toBe("bash pipeline/reconcile.sh");
        expect(reconcile.workingDirectory).toBe("$(projectDir)");
        expect(reconcile.env).toMatchObject({
            PULUMI_HCS_AGENT_CA: "$(agentCa.secureFilePath)",
            PULUMI_HCS_AGENT_CERT: "$(agentCert.secureFilePath)",
            PULUMI_HCS_AGENT_KEY: "$(agentKey.secureFilePath)",
            STALE_LOCK_AFTER_SECONDS: String(STALE_LOCK_AFTER_SECONDS),
        });
        expectKnownToScript(reconcile.env!);
        const keep = steps.find((s) => s.task === "PublishPipelineArtifact@1")!;
        expect(keep.condition).toBe("always()");
        expect(keep.inputs?.targetPath).toBe(reconcile.env!.OUT_DIR);
    });
});

describe("examples/gitops/pipeline/reconcile.sh", () => {
    it("defaults STALE_LOCK_AFTER_SECONDS to what the definitions set", () => {
        expect(SCRIPT).toContain(`STALE_LOCK_AFTER_SECONDS="\${STALE_LOCK_AFTER_SECONDS:-${STALE_LOCK_AFTER_SECONDS}}"`);
    });
});
