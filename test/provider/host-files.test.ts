/**
 * create refuses what hcsshim's CreateWCOW refuses in the host's files (issue 13, item 4), in its
 * words, every problem at once, and before it changes anything.
 */
import fs from "node:fs";
import path from "node:path";
import type { UvmStepError } from "../../provider/src/uvm/step-error";
import { checked, leftovers, provider, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost({ logicalProcessors: 8 });
});

afterAll(async () => {
    await host?.stop();
});

const onHost = (...names: string[]): string => path.join(host.sim.root, "fs", "c", ...names);

describe("create and the host's files", () => {
    it("refuses a layer without SystemTemplate.vhdx and a missing dump directory together, leaving nothing", async () => {
        fs.mkdirSync(onHost("layers", "no-template", "UtilityVM", "Files"), { recursive: true });
        const inputs = await checked({
            ...vmArgs(host, "no-template"),
            layerFolders: ["C:\\layers\\no-template", "C:\\uvms\\no-template"],
            dumpDirectoryPath: "C:\\no-such-crash",
        });
        const error = (await provider.create(inputs).catch((e: unknown) => e)) as UvmStepError;
        expect(error.name).toBe("UvmStepError");
        // CreateWCOW meets the dump directory first (prepareConfigDoc), then the copy; we report both.
        expect(error.step).toBe("error in preparing config doc");
        expect(error.message).toContain("failed to stat dump directory C:\\no-such-crash: it does not exist on the host");
        expect(error.message).toContain(
            "failed to create scratch: failed CopyFileW Win32 call from 'C:\\layers\\no-template\\UtilityVM\\SystemTemplate.vhdx' to 'C:\\uvms\\no-template\\sandbox.vhdx'",
        );
        expect(await leftovers(host, error.computeSystemId, "C:\\uvms\\no-template")).toEqual({ systems: [], grants: [], files: [] });
    });

    it("refuses a scratch folder that is a file in hcsshim's words, and leaves the file alone", async () => {
        fs.mkdirSync(onHost("uvms"), { recursive: true });
        fs.writeFileSync(onHost("uvms", "taken"), "not a folder");
        const inputs = await checked({ ...vmArgs(host, "taken") });
        const error = (await provider.create(inputs).catch((e: unknown) => e)) as UvmStepError;
        expect(error.step).toBe("failed to create scratch");
        expect(error.message).toContain("failed CopyFileW Win32 call from 'C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx' to 'C:\\uvms\\taken\\sandbox.vhdx': the scratch folder C:\\uvms\\taken is a file");
        expect(fs.readFileSync(onHost("uvms", "taken"), "utf8")).toBe("not a folder");
    });

    it("creates with a scratch folder that already holds sandbox.vhdx although the layer has no template, as CreateWCOW does", async () => {
        fs.mkdirSync(onHost("layers", "bare", "UtilityVM", "Files"), { recursive: true });
        fs.mkdirSync(onHost("uvms", "own-disk"), { recursive: true });
        fs.writeFileSync(onHost("uvms", "own-disk", "sandbox.vhdx"), "vhdxfile");
        const inputs = await checked({ ...vmArgs(host, "own-disk"), layerFolders: ["C:\\layers\\bare", "C:\\uvms\\own-disk"], start: false });
        const created = await provider.create(inputs);
        expect(created.outs).toMatchObject({ state: "Created", scratchCreated: false });
        await provider.delete!(created.id, created.outs);
        expect(fs.readFileSync(onHost("uvms", "own-disk", "sandbox.vhdx"), "utf8")).toBe("vhdxfile");
    });
});
