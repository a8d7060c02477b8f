import * as fs from "node:fs";
import * as path from "node:path";
import { cpuListFor } from "./cpu-affinity";
import { groupBy } from "./hcsshim-oracle";
import type { ParityCase } from "./parity-case";
import type { ParitySettings } from "./parity-settings";
import { inParallel, runProcess } from "./run-process";

/** What pulumi-hcs did with one case (test/parity/project-runner.cjs). */
export interface ProjectAnswer {
    /** `pulumi-hcs render`: exit code, standard output, standard error lines without log lines. */
    readonly render: { readonly status: number; readonly stdout: string; readonly stderr: readonly string[] };
    /**
     * The dynamic provider's check + create: the document it passed to HcsCreateComputeSystem, or
     * every reason it was refused with before that (`refusedBy: "hcs"` with a document: the simulated
     * HCS refused what was sent).
     */
    readonly create: {
        readonly document?: string;
        readonly refusedBy?: "check" | "create" | "hcs";
        readonly messages?: readonly string[];
        readonly cleanupError?: string;
    };
}

const RUNNER = path.join(__dirname, "project-runner.cjs");

/**
 * Runs render and create over the cases: one runner process per host (build, logical processors),
 * each with its own simulated host and the creator affinity the cases name, two at a time.
 * @throws {Error} when a runner fails, or did not get the affinity it was given.
 */
export async function askProject(cases: readonly ParityCase[], settings: ParitySettings): Promise<Map<string, ProjectAnswer>> {
    const dir = path.join(settings.work, "project");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_HCS_LOG_LEVEL: "error" };
    delete env.PULUMI_HCS_HOST;
    const groups = [...groupBy(cases, (c) => `${c.host.build}-${c.host.logicalProcessors}-${c.host.creatorProcessors}`)];
    const batches = await inParallel(
        groups.map(([key, group]) => async () => {
            const { build, logicalProcessors, creatorProcessors } = group[0]!.host;
            const batchFile = path.join(dir, `${key}.batch.json`);
            const resultsFile = path.join(dir, `${key}.results.json`);
            fs.writeFileSync(batchFile, JSON.stringify({ build, logicalProcessors, cases: group.map((c) => ({ name: c.name, files: c.files, args: c.args })) }));
            await runProcess("taskset", ["-c", cpuListFor(creatorProcessors), process.execPath, RUNNER, batchFile, resultsFile], path.join(dir, `${key}.runner`), env);
            const results = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as {
                availableParallelism: number;
                cases: (ProjectAnswer & { name: string })[];
            };
            if (results.availableParallelism !== creatorProcessors) {
                throw new Error(`the project runner had ${results.availableParallelism} CPUs, not the ${creatorProcessors} its cases need`);
            }
            return results.cases;
        }),
        2,
    );
    return new Map(batches.flat().map(({ name, ...answer }) => [name, answer]));
}
