/**
 * The usual engine-test fixture: a simulated host, and the `vms` test program (test/engine/programs/vms)
 * on it as `PULUMI_HCS_HOST`, made before the file's tests and removed after them.
 */
import type { StartSimulatorOptions } from "../../provider/sim/service/launch";
import { newTestProgram, type PulumiProject } from "./pulumi-project";
import { startTestHost, type TestHost } from "./simulated-host";

export interface VmsProgram {
    readonly host: TestHost;
    readonly project: PulumiProject;
}

export interface VmsProgramOptions {
    /** The simulated host's options. @default 8 logical processors */
    readonly host?: StartSimulatorOptions;
    /** Whether `pulumi destroy` runs before the project is removed (tests that leave no VM skip it). @default true */
    readonly destroy?: boolean;
}

/**
 * Registers the beforeAll/afterAll that make and remove the fixture, and hands it to `use` once made
 * (typically `({ host, project } = fixture)`, so the tests keep plain variables). Further set-up
 * (config, a first `up`) goes in a beforeAll after this call, which jest runs after this one.
 */
export function useVmsProgram(use: (fixture: VmsProgram) => void, options: VmsProgramOptions = {}): void {
    let fixture: { host?: TestHost; project?: PulumiProject } = {};
    beforeAll(async () => {
        const host = await startTestHost({ logicalProcessors: 8, ...options.host });
        fixture = { host };
        const project = await newTestProgram("vms", { PULUMI_HCS_HOST: host.hostName });
        fixture = { host, project };
        use({ host, project });
    });
    afterAll(async () => {
        if (options.destroy ?? true) await fixture.project?.pulumi(["destroy", "--yes", "--skip-preview"]);
        fixture.project?.remove();
        await fixture.host?.stop();
    });
}
