/**
 * A failed create leaves nothing behind, whichever CreateWCOW step fails (DESIGN §3.8): no compute
 * system, no grant, no sandbox.vhdx, no scratch folder; and the error names the step. When the
 * rollback itself fails, the error carries the ID and what was left, so Pulumi keeps the resource.
 */
import fs from "node:fs";
import path from "node:path";
import type { UvmStepError } from "../../provider/src/uvm/step-error";
import { type Bag, checked, leftovers, provider, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
    fs.mkdirSync(path.join(host.sim.root, "fs", "c", "crash"), { recursive: true });
});

afterEach(async () => {
    await host.sim.control.clearFaults();
});

afterAll(async () => {
    await host?.stop();
});

const INJECTED = 0x80370102;

/** A step and how to make it fail: a fault in the simulator, or a host file system that refuses. */
const STEPS: [step: string, name: string, prepare: (name: string) => Promise<Bag>][] = [
    ["failed to locate utility VM folder from layer folders", "no-uvm-folder", async (name) => {
        fs.mkdirSync(path.join(host.sim.root, "fs", "c", "layers", "empty"), { recursive: true });
        return { ...vmArgs(host, name), layerFolders: ["C:\\layers\\empty", `C:\\uvms\\${name}`] };
    }],
    ["failed to create utility VM scratch folder", "scratch-blocked", async (name) => {
        fs.mkdirSync(path.join(host.sim.root, "fs", "c", "blocked"), { recursive: true });
        fs.writeFileSync(path.join(host.sim.root, "fs", "c", "blocked", "file"), "a file where a folder must go");
        return { ...vmArgs(host, name), layerFolders: ["C:\\layers\\base", `C:\\blocked\\file\\${name}`] };
    }],
    ["error in preparing config doc", "dump-not-dir", async (name) => {
        fs.writeFileSync(path.join(host.sim.root, "fs", "c", "crash", "not-a-dir"), "");
        return vmArgs(host, name, { dumpDirectoryPath: "C:\\crash\\not-a-dir" });
    }],
    ["failed to create scratch", "no-template", async (name) => {
        const layer = path.join(host.sim.root, "fs", "c", "layers", "no-template", "UtilityVM", "Files");
        fs.mkdirSync(layer, { recursive: true });
        return { ...vmArgs(host, name), layerFolders: ["C:\\layers\\no-template", `C:\\uvms\\${name}`] };
    }],
    ["failed to grant vm access to scratch", "grant-fails", async (name) => {
        await host.sim.control.failNext("HcsGrantVmAccess", INJECTED);
        return vmArgs(host, name);
    }],
    ["failed to add SDL to dump directory", "group-grant-fails", async (name) => {
        await host.sim.control.failNext("HcsGrantVmGroupAccess", INJECTED);
        return vmArgs(host, name, { dumpDirectoryPath: "C:\\crash" });
    }],
    ["error while creating the compute system", "create-fails", async (name) => {
        await host.sim.control.failNext("HcsCreateComputeSystem", INJECTED);
        return vmArgs(host, name);
    }],
    ["failed to read the compute system's RuntimeId", "properties-fail", async (name) => {
        await host.sim.control.failNext("HcsGetComputeSystemProperties", INJECTED);
        return vmArgs(host, name);
    }],
    ["failed to start the utility VM", "start-fails", async (name) => {
        await host.sim.control.failNext("HcsStartComputeSystem", INJECTED);
        return vmArgs(host, name);
    }],
];

describe("create rollback", () => {
    it.each(STEPS)("'%s' (%s): nothing is left behind and the error names the step", async (step, name, prepare) => {
        const args = await prepare(name);
        const inputs = await checked(args);
        const error = await provider.create(inputs).catch((e: unknown) => e) as UvmStepError;
        expect(error.name).toBe("UvmStepError");
        expect(error.step).toBe(step);
        expect(error.message).toContain(`create utility VM '${error.computeSystemId}': ${step}: `);
        expect(error).not.toHaveProperty("id"); // Pulumi must not record a resource
        const scratchFolder = (inputs.layerFolders as string[]).at(-1)!;
        expect(await leftovers(host, error.computeSystemId, scratchFolder)).toEqual({ systems: [], grants: [], files: [] });
    });

    it("succeeds on the next attempt once the fault is gone", async () => {
        const inputs = await checked(vmArgs(host, "retry"));
        await host.sim.control.failNext("HcsStartComputeSystem", INJECTED);
        await expect(provider.create(inputs)).rejects.toThrow("failed to start the utility VM");
        const created = await provider.create(inputs);
        expect(created.outs.state).toBe("Running");
        await provider.delete!(created.id, created.outs);
    });

    it("hands Pulumi the ID and what was left when the rollback cannot terminate the system", async () => {
        const inputs = await checked(vmArgs(host, "stuck"));
        await host.sim.control.failNext("HcsStartComputeSystem", INJECTED);
        await host.sim.control.failNext("HcsTerminateComputeSystem", INJECTED);
        // As the engine sends them: with the serialized provider, which the state must keep.
        const error = await provider.create({ ...inputs, __provider: "serialized provider" }).catch((e: unknown) => e) as UvmStepError & { id: string; properties: Bag; reasons: string[] };
        expect(error.message).toContain("rollback could not undo: terminate and close the compute system");
        expect(error.id).toBe(error.computeSystemId);
        expect(error.properties).toMatchObject({ computeSystemId: error.id, scratchPath: "C:\\uvms\\stuck\\sandbox.vhdx", scratchCreated: true });
        // The disk stays while the system may still exist (issue 10: never pull a disk from under a VM).
        // The engine shows only the reasons: the original failure comes first.
        expect(error.reasons).toEqual([
            expect.stringMatching(/^failed to start the utility VM: HcsStartComputeSystem .*HCS_E_HYPERV_NOT_INSTALLED/),
            expect.stringMatching(/^rollback could not terminate and close the compute system: .*HCS_E_HYPERV_NOT_INSTALLED/),
            expect.stringContaining("kept C:\\uvms\\stuck\\sandbox.vhdx"),
        ]);
        expect(error.properties.__provider).toBe("serialized provider");
        // The state Pulumi keeps is enough for destroy to clean everything up.
        await provider.delete!(error.id, error.properties);
        expect(await leftovers(host, error.id, "C:\\uvms\\stuck")).toEqual({ systems: [], grants: [], files: [] });
    });
});
