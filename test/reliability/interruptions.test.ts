/**
 * SIGKILL of the Pulumi CLI, or of the dynamic-provider process, at a random moment while HCS calls
 * are in flight (simulator latency holds them open), during a create, a replacement or a destroy.
 * After the documented recovery (recover() in support.ts, docs/operations.md) the host holds exactly
 * the program's VMs: no orphans, no duplicates, no leaked files. Trials are seeded; CI runs a
 * bounded set, `npm run soak` the full counts.
 */
import { expectHostMatchesStacks } from "../support/host-matches-stacks";
import { expectSuccess, newTestProgram, type PulumiProject } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";
import {
    SHORT_TIMEOUTS, callCount, convergenceProblems, endTrial, orphanCount, pick, providerProcesses, record, recover, seededRandom, trials, waitForCalls,
} from "./support";

jest.setTimeout(300_000);

const VMS = 6;
type Scenario = "create" | "replace" | "destroy";
type Target = "cli" | "provider";

/** The calls each scenario makes, any of which may be the one in flight when the kill lands. */
const CALLS: Readonly<Record<Scenario, readonly string[]>> = {
    create: ["HcsCreateComputeSystem", "HcsStartComputeSystem", "HcsGrantVmAccess", "HcsGetComputeSystemProperties", "HcsOpenComputeSystem"],
    // A graceful shutdown succeeds on the simulator, so a delete never gets to HcsTerminateComputeSystem.
    replace: ["HcsCreateComputeSystem", "HcsStartComputeSystem", "HcsShutDownComputeSystem", "HcsRevokeVmAccess"],
    destroy: ["HcsShutDownComputeSystem", "HcsRevokeVmAccess", "HcsOpenComputeSystem"],
};

interface Trial {
    readonly index: number;
    readonly target: Target;
    readonly scenario: Scenario;
    readonly fn: string;
    readonly latencyMs: number;
    /** How long after the first delayed call the kill lands, as a fraction of the latency. */
    readonly killAt: number;
}

const random = seededRandom();
const TRIALS: Trial[] = (["cli", "provider"] as const).flatMap((target) =>
    Array.from({ length: trials(3, 40) }, (_, index) => {
        const scenario = pick(random, ["create", "create", "replace", "destroy"] as const);
        return { index, target, scenario, fn: pick(random, CALLS[scenario]), latencyMs: 300 + Math.floor(random() * 1200), killAt: random() };
    }));

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

function program(processorCount: number, trial: number): object[] {
    // A pool under one parent folder, so deletes and creates also race for the shared parent.
    return Array.from({ length: VMS }, (_, i) => ({
        name: `vm-${i}`,
        args: { layerFolders: [BASE_LAYER, `C:\\uvms\\trial-${trial}\\vm-${i}`], processorCount },
    }));
}

describe.each(TRIALS)("SIGKILL of the $target during $scenario, while $fn is in flight (trial $index)", (trial) => {
    let project: PulumiProject;

    afterEach(() => endTrial(host, project));

    it("converges to exactly the program's VMs after cancel, refresh --clear-pending-creates and the command again", async () => {
        const started = Date.now();
        project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName, ...SHORT_TIMEOUTS });
        const id = trial.target === "cli" ? trial.index : 100 + trial.index;
        await project.config({ vms: program(2, id) });
        if (trial.scenario !== "create") {
            expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
            if (trial.scenario === "replace") await project.config({ vms: program(4, id) });
        }

        const baseline = await callCount(host, trial.fn);
        await host.sim.control.latency(trial.fn, trial.latencyMs);
        const command = trial.scenario === "destroy" ? "destroy" : "up";
        const run = project.start([command, "--yes", "--skip-preview"]);
        const inFlight = await waitForCalls(host, trial.fn, baseline);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(trial.killAt * trial.latencyMs)));
        if (trial.target === "cli") {
            run.child.kill("SIGKILL");
        } else {
            for (const pid of providerProcesses(run.child.pid!)) process.kill(pid, "SIGKILL");
        }
        await run.done;
        const orphansBefore = await orphanCount(host, [project]);
        await host.sim.control.clearFaults();

        const results = await recover(project, command, trial.target === "cli");
        const expected = command === "destroy" ? 0 : VMS;
        const state = await project.exportState();
        // `pulumi cancel` fails when the killed run had no lock left to cancel: only refresh and the command count.
        const problems = await convergenceProblems(host, state, results.slice(-2), expected);
        record({
            suite: "interruptions",
            kind: `${trial.target} ${trial.scenario}`,
            trial: trial.index,
            orphansBefore,
            converged: problems.length === 0,
            problems,
            seconds: (Date.now() - started) / 1000,
        });
        expect({ inFlight, problems }).toEqual({ inFlight: true, problems: [] });
        await expectHostMatchesStacks(host, [state]);

        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
