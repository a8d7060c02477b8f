/**
 * plainMessage turns a log line (fields and message) into the one line a Pulumi user reads under
 * the resource: the input first, the reason after a colon, the rest in parentheses, nothing twice.
 */
import { plainMessage } from "../../../provider/src/log/plain-message";

describe("plainMessage", () => {
    it("puts the input first and the other fields in parentheses, as a model warning reads", () => {
        expect(plainMessage({ field: "processorCount", requested: 16, assigned: 8 }, "Changing user requested CPUCount to current number of processors"))
            .toBe("processorCount: Changing user requested CPUCount to current number of processors (requested: 16, assigned: 8)");
    });

    it("says why after a colon, from err", () => {
        expect(plainMessage({ err: "HcsShutDownComputeSystem failed: HCS_E_INVALID_STATE (0x8037010F)" }, "graceful shutdown failed; terminating"))
            .toBe("graceful shutdown failed; terminating: HcsShutDownComputeSystem failed: HCS_E_INVALID_STATE (0x8037010F)");
    });

    it("leaves out fields whose value the message already says, as whole words only", () => {
        expect(plainMessage({ id: "vm-1", adopter: "urn:a" }, "compute system 'vm-1' now belongs to urn:a")).toBe("compute system 'vm-1' now belongs to urn:a");
        expect(plainMessage({ requested: 1 }, "asked for 10 processors")).toBe("asked for 10 processors (requested: 1)");
        expect(plainMessage({ field: "memorySizeInMB" }, "memorySizeInMB is rounded")).toBe("memorySizeInMB is rounded");
    });

    it("writes lists as comma-separated words and objects as JSON", () => {
        expect(plainMessage({ differs: ["memorySizeInMB", "processorCount"], observed: { memorySizeInMB: 2048 } }, "the adopted VM differs from the program"))
            .toBe('the adopted VM differs from the program (differs: memorySizeInMB, processorCount, observed: {"memorySizeInMB":2048})');
    });

    it("never shows a secret, at any depth", () => {
        const text = plainMessage({ secret: "s1", request: { authorization: "Bearer t1" }, env: { PULUMI_HCS_SIM_SECRET: "s2" } }, "connecting");
        for (const secret of ["s1", "Bearer t1", "s2"]) expect(text).not.toContain(secret);
        expect(text).toBe('connecting (secret: [REDACTED], request: {"authorization":"[REDACTED]"}, env: {"PULUMI_HCS_SIM_SECRET":"[REDACTED]"})');
    });

    it("skips undefined fields", () => {
        expect(plainMessage({ id: undefined }, "nothing else")).toBe("nothing else");
    });
});
