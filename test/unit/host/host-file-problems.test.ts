import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeHostFileProblem, hostFileProblems } from "../../../provider/src/host/host-file-problems";
import { MappedFileSystem } from "../../../provider/src/host/mapped-filesystem";
import { materialize } from "../../vectors/vector-cases";

let root: string;
let hostFs: MappedFileSystem;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "host-file-problems-"));
    hostFs = new MappedFileSystem(root);
});

afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
});

const BASE = "C:\\layers\\base";
const TEMPLATE = "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx";
const COPY = `failed CopyFileW Win32 call from '${TEMPLATE}' to 'C:\\uvms\\vm1\\sandbox.vhdx'`;

const problems = (files: string[], layerFolders = [BASE, "C:\\uvms\\vm1"], dumpDirectoryPath?: string) => {
    materialize(root, files);
    return hostFileProblems(hostFs, { layerFolders, uvmFolder: BASE, dumpDirectoryPath });
};

describe("hostFileProblems()", () => {
    test("finds nothing when the template is there and the scratch folder can be made", async () => {
        expect(await problems([`${BASE}\\UtilityVM\\Files\\`, TEMPLATE])).toEqual([]);
    });

    test("refuses a layer without SystemTemplate.vhdx, in CreateWCOW's words, on the layer's input", async () => {
        expect(await problems([`${BASE}\\UtilityVM\\Files\\`])).toEqual([{
            field: "layerFolders[0]",
            step: "failed to create scratch",
            reason: expect.stringMatching(new RegExp(`^${escape(COPY)}: ${escape(TEMPLATE)} does not exist .*; use a complete base layer, or put an existing sandbox.vhdx in C:\\\\uvms\\\\vm1$`)),
        }]);
    });

    test("accepts a layer without a template when the scratch folder already holds sandbox.vhdx (CreateWCOW only grants it)", async () => {
        expect(await problems([`${BASE}\\UtilityVM\\Files\\`, "C:\\uvms\\vm1\\sandbox.vhdx"])).toEqual([]);
    });

    test("refuses UtilityVM being a file, and a template that is a folder", async () => {
        expect((await problems([`${BASE}\\UtilityVM`]))[0]?.reason).toContain(`${COPY}: ${BASE}\\UtilityVM is a file, not the folder that holds SystemTemplate.vhdx`);
        fs.rmSync(path.join(root, "fs"), { recursive: true });
        expect((await problems([`${TEMPLATE}\\`]))[0]?.reason).toContain(`${COPY}: ${TEMPLATE} is a folder, not the virtual disk file to copy`);
    });

    test("refuses a scratch folder that is a file, on the scratch folder's input", async () => {
        expect(await problems([`${BASE}\\UtilityVM\\Files\\`, TEMPLATE, "C:\\uvms\\vm1"])).toEqual([{
            field: "layerFolders[1]",
            step: "failed to create scratch",
            reason: `${COPY}: the scratch folder C:\\uvms\\vm1 is a file, so sandbox.vhdx cannot be created in it; ` +
                "remove the file, or choose another scratch folder as the last entry of layerFolders",
        }]);
    });

    test("refuses a scratch folder under a file, as MkdirAll would fail", async () => {
        expect(await problems([`${BASE}\\UtilityVM\\Files\\`, TEMPLATE, "C:\\uvms\\blocked"], [BASE, "C:\\uvms\\blocked\\deeper\\vm1"])).toEqual([{
            field: "layerFolders[1]",
            step: "failed to create utility VM scratch folder",
            reason: expect.stringMatching(/^C:\\uvms\\blocked is a file, not a folder, so the scratch folder C:\\uvms\\blocked\\deeper\\vm1 cannot be created under it/),
        }]);
    });

    test("reports every problem, in the order CreateWCOW meets them", async () => {
        const found = await problems(["C:\\uvms\\blocked", "C:\\crash"], [BASE, "C:\\uvms\\blocked\\vm1"], "C:\\crash");
        expect(found.map((p) => p.step)).toEqual(["failed to create utility VM scratch folder", "error in preparing config doc", "failed to create scratch"]);
        expect(found.map(describeHostFileProblem)).toEqual([
            expect.stringMatching(/^failed to create utility VM scratch folder: C:\\uvms\\blocked is a file/),
            "dump directory path C:\\crash isn't a directory (it is a file; choose a folder)",
            expect.stringMatching(/^failed to create scratch: failed CopyFileW Win32 call from /),
        ]);
    });

    test("keeps the paths as spelled, drive letter included", async () => {
        materialize(root, ["C:\\layers\\base\\UtilityVM\\Files\\"]);
        const found = await hostFileProblems(hostFs, { layerFolders: ["c:\\layers\\base", "c:\\uvms\\vm1"], uvmFolder: "c:\\layers\\base" });
        expect(found[0]?.reason).toContain("failed CopyFileW Win32 call from 'c:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx' to 'c:\\uvms\\vm1\\sandbox.vhdx'");
    });
});

function escape(text: string): string {
    return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}
