/**
 * The fault matrix: every HCS call the provider makes, made to fail, to hang, or to crash the
 * simulator, during each Pulumi operation that makes it (create, in-place update, refresh, delete),
 * through the real CLI. Each case asserts that the command ends (hangs are bounded by the resource's
 * timeouts and the HCS call timeouts), and that after the documented recovery the host holds
 * exactly what the stack records: no orphans, no duplicates, no leaked files, and the program's VMs.
 *
 * CI runs every call of every phase once, with the fault kind rotating; `npm run soak` runs every
 * call with every kind.
 */
import { expectSuccess, newTestProgram, type PulumiProject, type RunResult } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";
import { SHORT_TIMEOUTS, SOAK, convergenceProblems, endTrial, orphanCount, record, recover } from "./support";

jest.setTimeout(300_000);

type Phase = "create" | "update" | "refresh" | "delete";
type Fault = "fail" | "hang" | "crash";

/** The computecore calls each phase makes (provider/src/uvm, provider/src/host). */
const CALLS: Readonly<Record<Phase, readonly string[]>> = {
    create: ["HcsGetServiceProperties", "HcsOpenComputeSystem", "HcsGrantVmAccess", "HcsCreateComputeSystem", "HcsGetComputeSystemProperties", "HcsStartComputeSystem", "HcsCloseComputeSystem"],
    update: ["HcsOpenComputeSystem", "HcsModifyComputeSystem", "HcsGetComputeSystemProperties", "HcsCloseComputeSystem"],
    refresh: ["HcsOpenComputeSystem", "HcsGetComputeSystemProperties", "HcsCloseComputeSystem"],
    delete: ["HcsOpenComputeSystem", "HcsGetComputeSystemProperties", "HcsShutDownComputeSystem", "HcsTerminateComputeSystem", "HcsRevokeVmAccess", "HcsCloseComputeSystem"],
};

/** Calls that return nothing cannot fail; they can only hang or take the service down. */
const VOID_CALLS = new Set(["HcsCloseComputeSystem"]);
const FAULTS: readonly Fault[] = ["fail", "hang", "crash"];
/** HCS_E_OPERATION_PENDING-free, plain failure: E_FAIL. */
const E_FAIL = "0x80004005";

interface Case {
    readonly phase: Phase;
    readonly fn: string;
    readonly fault: Fault;
}

const CASES: Case[] = (Object.keys(CALLS) as Phase[]).flatMap((phase) =>
    CALLS[phase].flatMap((fn, i) => {
        const kinds = FAULTS.filter((f) => !(f === "fail" && VOID_CALLS.has(fn)));
        return (SOAK ? kinds : [kinds[i % kinds.length]!]).map((fault) => ({ phase, fn, fault }));
    }));

let host: TestHost;
let serial = 0;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

const TIMEOUTS = { create: "8s", update: "8s", delete: "8s" };

function program(name: string, processorLimit: number): object[] {
    return ["a", "b"].map((vm) => ({
        name: vm,
        args: { layerFolders: [BASE_LAYER, `C:\\uvms\\${name}\\${vm}`], processorLimit, timeouts: TIMEOUTS },
    }));
}

async function inject(c: Case): Promise<void> {
    if (c.fault === "fail") await host.sim.control.failNext(c.fn, E_FAIL, { times: 100 });
    else if (c.fault === "hang") await host.sim.control.hang(c.fn);
    else await host.sim.control.crash(c.fn);
}

/** Ends the fault: clears it, or brings a crashed simulator back on the same root and address. */
async function heal(): Promise<void> {
    const alive = await host.sim.control.ping().then(() => true, () => false);
    if (alive) await host.sim.control.clearFaults();
    else await host.sim.restart();
}

describe.each(CASES)("$fault $fn during $phase", (c) => {
    let project: PulumiProject;

    afterEach(() => endTrial(host, project, heal));

    it("ends, and the documented recovery converges with nothing left over", async () => {
        const started = Date.now();
        const name = `fm-${++serial}`;
        project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName, ...SHORT_TIMEOUTS });
        await project.config({ vms: program(name, 0) });
        if (c.phase !== "create") expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        if (c.phase === "update") await project.config({ vms: program(name, 50000) });

        await inject(c);
        const command: string[] = {
            create: ["up"], update: ["up"], refresh: ["refresh"], delete: ["destroy"],
        }[c.phase];
        const faulted: RunResult = await project.pulumi([...command, "--yes", "--skip-preview"]);
        const seconds = (Date.now() - started) / 1000;
        const orphansBefore = await orphanCount(host, [project]).catch(() => -1);
        await heal();

        const final = c.phase === "delete" ? "destroy" : "up";
        const results = await recover(project, final, false);
        const state = await project.exportState();
        const expected = final === "destroy" ? 0 : 2;
        const problems = await convergenceProblems(host, state, results, expected);
        record({ suite: "fault-matrix", kind: `${c.fault} ${c.fn} during ${c.phase}`, trial: 0, orphansBefore, converged: problems.length === 0, problems, seconds });
        // A hang must not hold the command: it ends well inside the 5 s call timeouts times the calls a VM makes.
        expect({ faultedExit: faulted.code >= 0, boundedSeconds: seconds < 120, problems }).toEqual({ faultedExit: true, boundedSeconds: true, problems: [] });

        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectHostEmpty(host);
    });
});
