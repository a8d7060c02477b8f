/**
 * The guest connection through the real Pulumi CLI (issue 14): `pulumi up` starts the VM, its
 * simulated guest connects, negotiates and gets its HvSocket settings, and the state records that the
 * connection ended with the provider's process (guestConnection `lost`). With each guest fault, `up`
 * fails naming the step, and nothing is left on the host (no VM, file, grant or Hyper-V socket) or in
 * the state; the in-place start (start false → true) connects the same way.
 */
import { itDirectOnly, viaAgent } from "../support/agent-mode";
import { expectSuccess, newTestProgram, type PulumiProject, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, expectHostEmpty, startTestHost, type TestHost } from "../support/simulated-host";

jest.setTimeout(240_000);

let host: TestHost;
let project: PulumiProject;

const LAYERS = [BASE_LAYER, "C:\\uvms\\guest"];
/** Short guest timeouts, so a guest that never answers fails in a second (the provider reads them, or the agent in front). */
const SHORT_TIMEOUTS = { PULUMI_HCS_TIMEOUT_GCSCONNECTION: "1", PULUMI_HCS_TIMEOUT_GCSREQUEST: "1" };

/** A started VM's guest connection once `up` is done: the provider's ends with it; an agent keeps its own. */
const GUEST_AFTER_UP = viaAgent() ? "connected" : "lost";

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 }, { env: SHORT_TIMEOUTS });
    project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName, ...SHORT_TIMEOUTS });
});

afterEach(async () => {
    await host.sim.control.clearFaults();
});

afterAll(async () => {
    await project?.pulumi(["destroy", "--yes", "--skip-preview"]);
    project?.remove();
    await host?.stop();
});

async function expectNothingLeft(): Promise<void> {
    await expectHostEmpty(host);
    expect((await host.sim.control.state()).hvSockets).toEqual([]);
    expect(utilityVms(await project.exportState())).toEqual([]);
}

describe("pulumi up connects to the VM's guest", () => {
    itDirectOnly("through an agent the connection is the agent's and stays up (guestConnection connected: test/engine/agent.test.ts)")("records the negotiated guest, and that the connection ended with the provider (guestConnection lost)", async () => {
        await project.config({ vms: [{ name: "guest", args: { layerFolders: LAYERS, noInheritHostTimezone: true } }] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        const [vm] = utilityVms(await project.exportState());
        expect(vm!.outputs).toMatchObject({ state: "Running", guestConnection: "lost", guestOsType: "windows", guestProtocolVersion: 4 });
        const [system] = (await host.sim.control.state()).systems;
        expect(system!.guest).toMatchObject({
            phase: "disconnected",
            requests: ["NegotiateProtocol", "Create", "Start", "ModifySettings"],
            hvSocket: { LocalAddress: vm!.outputs!.runtimeId, ParentAddress: "894cc2d6-9d79-424f-93fe-42969ae6d8d1" },
            timeZone: { StandardName: "Coordinated Universal Time", DaylightName: "Coordinated Universal Time", StandardDate: {}, DaylightDate: {} },
        });
        // The provider process has exited, and its listener with it.
        expect((await host.sim.control.state()).hvSockets).toEqual([]);
        // Nothing about the connection makes the next preview differ.
        const preview = await project.previewJson();
        expect(preview.changeSummary).toEqual({ same: 2 });
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectNothingLeft();
    });

    it("connects when an in-place start (start false → true) starts the VM", async () => {
        await project.config({ vms: [{ name: "guest", args: { layerFolders: LAYERS, start: false } }] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expect(utilityVms(await project.exportState())[0]!.outputs).toMatchObject({ state: "Created", guestConnection: "none" });
        await project.config({ vms: [{ name: "guest", args: { layerFolders: LAYERS, start: true } }] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expect(utilityVms(await project.exportState())[0]!.outputs).toMatchObject({ state: "Running", guestConnection: GUEST_AFTER_UP, guestProtocolVersion: 4 });
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectNothingLeft();
    });
});

describe("pulumi up with a broken guest", () => {
    it.each([
        ["never-dial", {}, "failed to connect to GCS", "HCS_E_CONNECTION_TIMEOUT (0x80370109): the guest compute service did not connect within 1 s"],
        ["dial-late", { delayMs: 2000 }, "failed to connect to GCS", "HCS_E_CONNECTION_TIMEOUT (0x80370109)"],
        ["close-mid-negotiation", {}, "failed to negotiate the GCS protocol", "bridge closed: use of closed network connection"],
        ["unsupported-version", {}, "failed to negotiate the GCS protocol", "guest RPC failure: protocol version 4 is not supported: this guest speaks 5"],
        ["stop-answering", {}, "failed to negotiate the GCS protocol", "did not finish the negotiate step within 1 s"],
        ["fail-request", {}, "failed to do initial GCS setup", "failed to configure HVSOCK for external GCS: guest modify: guest RPC failure: injected"],
    ])("%s: up fails at the step it breaks, and leaves nothing behind", async (mode, options, step, cause) => {
        await project.config({ vms: [{ name: "guest", args: { layerFolders: LAYERS } }] });
        await host.sim.control.guestFault(mode, options);
        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        const output = up.stdout + up.stderr;
        expect(output).toContain(step);
        expect(output).toContain(cause);
        await expectNothingLeft();
    });

    it("succeeds on the next up once the guest is healthy", async () => {
        await project.config({ vms: [{ name: "guest", args: { layerFolders: LAYERS } }] });
        expectSuccess(await project.pulumi(["up", "--yes", "--skip-preview"]));
        expect(utilityVms(await project.exportState())[0]!.outputs).toMatchObject({ guestConnection: GUEST_AFTER_UP });
        expectSuccess(await project.pulumi(["destroy", "--yes", "--skip-preview"]));
        await expectNothingLeft();
    });
});
