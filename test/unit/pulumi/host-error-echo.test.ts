/**
 * The dynamic-provider host prints every error check, diff, read and delete throw as
 * `${e}: ${e.stack}` (which Pulumi shows under the stack, next to the same error under the
 * resource). The provider replaces that print: nothing for an expected failure, the stack alone for
 * a bug. These tests print exactly what the host prints, through a stand-in console.
 */
import { HRESULTS, HcsError } from "../../../provider/src/hcs";
import { isExpectedFailure } from "../../../provider/src/pulumi/expected-failure";
import { echoOnce, replaceHostErrorEcho } from "../../../provider/src/pulumi/host-error-echo";
import { UvmStepError } from "../../../provider/src/uvm/step-error";

const printed: unknown[][] = [];
const hostConsole = { error: (...args: unknown[]): void => void printed.push(args) };
replaceHostErrorEcho(hostConsole);

beforeEach(() => {
    printed.length = 0;
});

/** What the host does with a method's rejection (cmd/dynamic-provider/index.js, check/diff/read/delete). */
async function callAsTheHost(method: () => Promise<unknown>): Promise<void> {
    try {
        await echoOnce(method);
    } catch (e) {
        hostConsole.error(`${e}: ${(e as Error).stack}`);
    }
}

describe("replaceHostErrorEcho", () => {
    it("prints nothing for an expected failure: the engine shows it under the resource", async () => {
        await callAsTheHost(async () => {
            throw new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE);
        });
        await callAsTheHost(async () => {
            throw new Error("Cannot read utility VM 'x': no address given reaches its host");
        });
        expect(printed).toEqual([]);
    });

    it("prints a bug's stack once: its message, then the frames", async () => {
        const bug = new TypeError("Cannot read properties of undefined (reading 'state')");
        await callAsTheHost(async () => {
            throw bug;
        });
        expect(printed).toEqual([[bug.stack]]);
        expect(String(printed[0]![0]).split(bug.message)).toHaveLength(2);
        expect(printed[0]![0]).toMatch(/\n\s+at /);
    });

    it("leaves every other line alone, including the same text printed a second time", async () => {
        const err = new Error("host gone");
        await callAsTheHost(async () => {
            throw err;
        });
        hostConsole.error(`${err}: ${err.stack}`);
        hostConsole.error("something else", 42);
        expect(printed).toEqual([[`${err}: ${err.stack}`], ["something else", 42]]);
    });

    it("passes results through untouched", async () => {
        await expect(echoOnce(async () => "inputs")).resolves.toBe("inputs");
        expect(printed).toEqual([]);
    });
});

describe("isExpectedFailure", () => {
    it("is true for failures of the world: HCS errors, refusals, system errors, and steps that met them", () => {
        const hcs = new HcsError({ operation: "HcsStartComputeSystem", id: "vm" }, HRESULTS.HCS_E_INVALID_STATE);
        const enoent = Object.assign(new Error("ENOENT: no such file or directory"), { code: "ENOENT", syscall: "open" });
        expect(isExpectedFailure(hcs)).toBe(true);
        expect(isExpectedFailure(new Error("Cannot create the utility VM: layerFolders: must not be empty"))).toBe(true);
        expect(isExpectedFailure(enoent)).toBe(true);
        expect(isExpectedFailure(new UvmStepError("create utility VM", "vm", "failed to start the utility VM", hcs))).toBe(true);
    });

    it("is false for bugs: the runtime's error classes, failed assertions, thrown non-errors, and steps that met a bug", () => {
        expect(isExpectedFailure(new TypeError("x is not a function"))).toBe(false);
        expect(isExpectedFailure(new RangeError("Maximum call stack size exceeded"))).toBe(false);
        expect(isExpectedFailure(Object.assign(new Error("false == true"), { code: "ERR_ASSERTION" }))).toBe(false);
        expect(isExpectedFailure("a string")).toBe(false);
        expect(isExpectedFailure(new UvmStepError("create utility VM", "vm", "error in preparing config doc", new ReferenceError("plan is not defined")))).toBe(false);
    });

    it("follows a cause chain that loops back without hanging", () => {
        const a = new Error("a");
        const b = new Error("b", { cause: a });
        (a as { cause?: unknown }).cause = b;
        expect(isExpectedFailure(a)).toBe(true);
    });
});
