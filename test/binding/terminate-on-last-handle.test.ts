/**
 * ShouldTerminateOnLastHandleClosed, for real: a process creates a system and exits without closing
 * its handle. With the flag the system dies with the process's last handle; without it (our
 * default, DESIGN §3.2) the VM outlives the process, as a Pulumi provider needs.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { isNotFound } from "../../provider/src/hcs";
import { eventually, startTestHost, type TestHost } from "../support/simulated-host";
import { prepareVm } from "../support/vm-document";

const run = promisify(execFile);
const CLIENT = path.join(__dirname, "fixtures", "client.js");

let host: TestHost;
let scratch: string;

beforeAll(async () => {
    host = await startTestHost();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-tolhc-"));
});

afterAll(async () => {
    await host?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
});

async function createInChildProcess(terminateOnLastHandleClosed: boolean): Promise<string> {
    const id = randomUUID();
    const documentFile = path.join(scratch, `${id}.json`);
    fs.writeFileSync(documentFile, await prepareVm(host.sim.root, host.client, id, { terminateOnLastHandleClosed }));
    const { stdout } = await run(process.execPath, [CLIENT, "create-and-exit", id, documentFile], { env: { ...process.env, ...host.sim.env } });
    expect(JSON.parse(stdout)).toEqual({ created: id });
    return id;
}

describe("ShouldTerminateOnLastHandleClosed", () => {
    it("true: the system vanishes when the process that created it exits", async () => {
        const id = await createInChildProcess(true);
        await eventually(async () => {
            const error = await host.client.openComputeSystem(id).then(async (s) => { await s.close(); return undefined; }, (e: unknown) => e);
            expect(isNotFound(error)).toBe(true);
        });
    });

    it("false: the system survives its creating process, and its properties say so", async () => {
        const id = await createInChildProcess(false);
        // Give the service time to notice the exit: the system must still be there afterwards.
        await eventually(async () => {
            const state = await host.sim.control.state();
            expect(state.connections.some((c) => c.handles.some((h) => h.system === id))).toBe(false);
        });
        const system = await host.client.openComputeSystem(id);
        try {
            const properties = await system.properties(["TerminateOnLastHandleClosed"]);
            expect(properties.State).toBe("Created");
            expect(properties.TerminateOnLastHandleClosed).toBe(false);
        } finally {
            await system.terminate();
            await system.close();
        }
    });
});
