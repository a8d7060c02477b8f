/**
 * `check` with the problems the SDK already reported under the VM (`__reportedProblems`, issue 12
 * item 4): the same refusal, with the repeated lines folded into one that points at them.
 */
import { REPORTED_PROBLEMS_KEY } from "../../provider/src/pulumi/reported-problems";
import { provider, vmArgs } from "../support/provider";
import { startTestHost, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    // Build 17763 refuses a CPU group at create: a rule only check, which knows the host, can apply.
    host = await startTestHost({ logicalProcessors: 8, build: 17763 });
});

afterAll(async () => {
    await host?.stop();
});

const BAD = { owner: "", processorLimit: -5, cpuGroupId: "7c7a4b6e-2a8f-4a8e-9d36-0b5a7c3f1e21" };

/** The lines the SDK would have reported for BAD: its own failures, as `field: message`. */
async function sdkLines(): Promise<string[]> {
    const plain = await provider.check({}, vmArgs(host, "reported", BAD));
    return (plain.failures ?? []).filter((f) => f.property !== "cpuGroupId").map((f) => `${f.property}: ${f.reason}`);
}

describe("check with the SDK's reported problems", () => {
    it("folds the failures the SDK reported into one line pointing at them, and lists the others in full", async () => {
        const reported = await sdkLines();
        expect(reported).toHaveLength(2);
        const result = await provider.check({}, { ...vmArgs(host, "reported", BAD), [REPORTED_PROBLEMS_KEY]: reported });
        expect(result.inputs).toBeUndefined();
        expect(result.failures).toEqual([
            { property: "", reason: "the 2 problems listed above, which the provider's check confirms" },
            { property: "cpuGroupId", reason: expect.stringContaining("cpu group assignment on create requires a build of 19043 or higher (the host is build 17763") },
        ]);
    });

    it("says 'the problem' for one", async () => {
        const [first] = await sdkLines();
        const result = await provider.check({}, { ...vmArgs(host, "reported", { owner: "" }), [REPORTED_PROBLEMS_KEY]: [first] });
        expect(result.failures).toEqual([{ property: "", reason: "the problem listed above, which the provider's check confirms" }]);
    });

    it("cannot make check refuse: a reported line check does not find is ignored, and the key never reaches the state", async () => {
        const result = await provider.check({}, { ...vmArgs(host, "fine"), [REPORTED_PROBLEMS_KEY]: ["owner: must not be empty"] });
        expect(result.failures).toBeUndefined();
        expect(result.inputs).not.toHaveProperty(REPORTED_PROBLEMS_KEY);
    });

    it("cannot hide a failure: lines that differ from check's, or a malformed value, leave every failure in full", async () => {
        for (const value of [["owner: must not be blank"], "owner: must not be empty", [7], null]) {
            const result = await provider.check({}, { ...vmArgs(host, "reported", { owner: "" }), [REPORTED_PROBLEMS_KEY]: value });
            expect(result.failures).toEqual([{ property: "owner", reason: expect.stringContaining("must not be empty") }]);
        }
    });
});
