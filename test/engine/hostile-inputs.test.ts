/**
 * Hostile inputs (issue 11, item 7) through the real Pulumi CLI: keys named like Object.prototype
 * members, `__proto__` keys, a null host, null args, an unpaired surrogate, names Windows refuses and
 * sizes past their documented bounds each fail `pulumi preview` with a message naming the input, and
 * nothing reaches the host. The values come from the `vms` config (JSON), so `undefined` and
 * JavaScript-only values are tested at the check() level instead (test/provider/check.test.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { type PulumiProject, type RunResult, utilityVms } from "../support/pulumi-project";
import { BASE_LAYER, type TestHost } from "../support/simulated-host";
import { useVmsProgram } from "../support/vms-program";

jest.setTimeout(180_000);

let host: TestHost;
let project: PulumiProject;

useVmsProgram((fixture) => ({ host, project } = fixture), { destroy: false });

const layers = (name: string): string[] => [BASE_LAYER, `C:\\uvms\\${name}`];

/** An object with `key` as an own property (a literal `{ "__proto__": … }` would set the prototype instead). */
function withOwnKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
    return Object.defineProperty({ ...object }, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Runs `pulumi preview` on `vms` and returns its output; preview must fail. */
async function failedPreview(vms: unknown[]): Promise<string> {
    await project.config({ vms });
    const preview: RunResult = await project.pulumi(["preview"]);
    const output = preview.stdout + preview.stderr;
    if (preview.code === 0) throw new Error(`preview succeeded:\n${output}`);
    return output;
}

/** Nothing on the host and nothing in the stack: no system, no scratch folder, no VM in state. */
async function expectNothingCreated(names: readonly string[]): Promise<void> {
    expect((await host.sim.control.state()).systems).toEqual([]);
    for (const name of names) expect(fs.existsSync(path.join(host.sim.root, "fs", "c", "uvms", name))).toBe(false);
    expect(utilityVms(await project.exportState())).toEqual([]);
}

// The engine stops a preview at the first resource whose check fails, so the inputs check refuses
// share one resource (check reports all of a resource's failures at once), and each compute
// system ID gets a preview of its own.
describe("hostile inputs through the Pulumi CLI", () => {
    it("fails preview with a field-specific message for every hostile input of a resource, and up creates nothing", async () => {
        const args = withOwnKey(
            {
                layerFolders: layers("hostile"),
                host: null,
                hasOwnProperty: true,
                constructor: 1,
                toString: "x",
                procesorCount: 4,
                timeouts: withOwnKey({ update: "5m" }, "__proto__", { create: "1s" }),
                computeSystemId: "Con.txt",
                owner: "o".repeat(4096),
                memorySizeInMB: 2 ** 32,
                highMMIOGapInMB: 2 ** 32,
            },
            "__proto__",
            { owner: "from-a-prototype" },
        );
        const output = await failedPreview([{ name: "hostile", args }]);

        // Keys Pulumi's resource object would have choked on (onto.hasOwnProperty is not a function).
        expect(output).not.toContain("is not a function");
        for (const key of ["hasOwnProperty", "constructor", "toString", "__proto__"]) {
            expect(output).toContain(`unknown input "${key}": WcowUtilityVm has no such input`);
        }
        expect(output).toContain('unknown input "procesorCount": WcowUtilityVm has no such input; did you mean "processorCount"?');
        expect(output).toContain('unknown timeout "__proto__"; the timeouts are create, update, delete');
        // A null host is refused at preview, not at create.
        expect(output).toContain('must be a string like "local" or "sim:<socket path>", got null; omit host to use PULUMI_HCS_HOST');
        // Names and sizes past the documented rules.
        expect(output).toContain('"Con.txt" is not a usable compute system ID: it is the reserved device name CON');
        expect(output).toContain("is 4096 characters long, over the limit of 255; choose a shorter owner");
        expect(output).toContain("must be an integer from 1 to 251658240");
        expect(output).toContain("must be an integer from 0 to 4294967295");
        await expectNothingCreated(["hostile"]);

        const up = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        await expectNothingCreated(["hostile"]);
    });

    it.each([
        ["*?", "it contains '*', which Windows does not allow in names"],
        [" ", "it is only dots and spaces"],
        ["..", "it is only dots and spaces"],
        ["vm ", "it ends with a space, which Windows strips from names"],
    ])("fails preview for the compute system ID %p: %s", async (id, reason) => {
        const output = await failedPreview([{ name: "bad-id", args: { layerFolders: layers("bad-id"), computeSystemId: id } }]);
        expect(output).toContain(`${JSON.stringify(id)} is not a usable compute system ID: ${reason}`);
        await expectNothingCreated(["bad-id"]);
    });

    it("fails preview naming the resource when args is null", async () => {
        const output = await failedPreview([{ name: "null-args", args: null }]);
        expect(output).toContain('WcowUtilityVm "null-args": args is required: pass an object with layerFolders');
        expect(output).not.toContain("Cannot read properties of null");
        await expectNothingCreated(["null-args"]);
    });

    it("fails preview naming the input that holds an unpaired surrogate, instead of Pulumi's unnamed UTF-8 error", async () => {
        const output = await failedPreview([{ name: "lone-surrogate", args: { layerFolders: layers("lone-surrogate"), owner: "ci\ud800" } }]);
        expect(output).toContain('WcowUtilityVm "lone-surrogate": owner: "ci\\ud800" contains an unpaired UTF-16 surrogate U+D800 at index 2');
        expect(output).not.toContain("grpc: error unmarshalling request");
        await expectNothingCreated(["lone-surrogate"]);
    });
});
