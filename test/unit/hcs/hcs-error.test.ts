import { HRESULTS, HcsError, isAccessDenied, isAlreadyStopped, isInvalidState, isNotFound, isServiceUnavailable, isTimeout } from "../../../provider/src/hcs";

const RESULT_ERROR = JSON.stringify({
    Error: -2143878899,
    ErrorMessage: "The JSON document is invalid.",
    ErrorEvents: [
        { Message: "VirtualMachine.Chipset: unknown field 'Bios'", Provider: "17103E3F-3C6E-4677-BB17-3B267EB5BE57", EventId: 12345, Source: "vmcompute" },
        { Message: "second event" },
    ],
});

describe("HcsError", () => {
    it("carries the operation, the ID, the HRESULT name and hex, and the events in hcsshim's format", () => {
        const error = new HcsError({ operation: "HcsCreateComputeSystem", id: "vm1" }, -2143878899, RESULT_ERROR);
        expect(error.operation).toBe("HcsCreateComputeSystem");
        expect(error.computeSystemId).toBe("vm1");
        expect(error.hresult).toBe(0x8037010d);
        expect(error.hresultName).toBe("HCS_E_INVALID_JSON");
        expect(error.events).toHaveLength(2);
        expect(error.message).toBe(
            "HcsCreateComputeSystem 'vm1' failed: HCS_E_INVALID_JSON (0x8037010D): The JSON document is invalid. " +
            "[Event Detail: VirtualMachine.Chipset: unknown field 'Bios' Provider: 17103E3F-3C6E-4677-BB17-3B267EB5BE57 EventID: 12345 Source: vmcompute] " +
            "[Event Detail: second event]",
        );
    });

    it("uses the HRESULT's description when HCS sent no document, and leaves the ID out of service calls", () => {
        const error = new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.HCS_E_ACCESS_DENIED);
        expect(error.message).toBe("HcsGetServiceProperties failed: HCS_E_ACCESS_DENIED (0x8037011B): the caller must be an administrator or in Hyper-V Administrators");
    });

    it("leaves out events that only repeat the error message, and keeps them on the error", () => {
        const document = JSON.stringify({
            Error: HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE,
            ErrorMessage: "cannot connect to the HCS service",
            ErrorEvents: [
                { Message: "cannot connect to the HCS service", Source: "hcssim" },
                { Message: "the pipe is closed", Source: "hcssim" },
                { Message: "the pipe is closed", Source: "hcssim" },
            ],
        });
        const error = new HcsError({ operation: "HcsGetServiceProperties" }, HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE, document);
        expect(error.message).toBe(
            "HcsGetServiceProperties failed: HCS_E_SERVICE_NOT_AVAILABLE (0x80370114): cannot connect to the HCS service [Event Detail: the pipe is closed Source: hcssim]",
        );
        expect(error.events).toHaveLength(3);
    });

    it("says what HCS said without the operation and ID in reason, for callers that name the system already", () => {
        const error = new HcsError({ operation: "HcsStartComputeSystem", id: "vm1" }, -2143878899, RESULT_ERROR);
        expect(error.reason).toBe(error.message.slice("HcsStartComputeSystem 'vm1' failed: ".length));
        expect(error.reason).not.toContain("vm1");
        expect(error.reason).toMatch(/^HCS_E_INVALID_JSON \(0x8037010D\): /);
    });

    it("keeps a result document that is not a ResultError", () => {
        const error = new HcsError({ operation: "HcsStartComputeSystem", id: "x" }, HRESULTS.E_FAIL, "not json");
        expect(error.resultDocument).toBe("not json");
    });

    it.each([
        [isNotFound, [HRESULTS.HCS_E_SYSTEM_NOT_FOUND, 0xc037010e, 0x490, 0x80070490], [HRESULTS.HCS_E_INVALID_STATE]],
        [isAlreadyStopped, [HRESULTS.HCS_E_SYSTEM_ALREADY_STOPPED, 0xc0370110, 0x8037011f, 0x490], [HRESULTS.HCS_E_SYSTEM_NOT_FOUND]],
        [isInvalidState, [HRESULTS.HCS_E_INVALID_STATE, 0xc0370105], [HRESULTS.HCS_E_SYSTEM_ALREADY_STOPPED]],
        [isTimeout, [HRESULTS.HCS_E_OPERATION_TIMEOUT, HRESULTS.HCS_E_CONNECTION_TIMEOUT], [HRESULTS.HCS_E_OPERATION_PENDING]],
        [isAccessDenied, [HRESULTS.HCS_E_ACCESS_DENIED, HRESULTS.E_ACCESSDENIED, 5], [HRESULTS.E_HANDLE]],
        [isServiceUnavailable, [HRESULTS.HCS_E_SERVICE_NOT_AVAILABLE, HRESULTS.HCS_E_SERVICE_DISCONNECT], [HRESULTS.HCS_E_SYSTEM_NOT_FOUND]],
    ] as [(e: unknown) => boolean, number[], number[]][])("%p matches its codes and nothing else", (predicate, yes, no) => {
        for (const hr of yes) expect(predicate(new HcsError({ operation: "op" }, hr))).toBe(true);
        for (const hr of no) expect(predicate(new HcsError({ operation: "op" }, hr))).toBe(false);
        expect(predicate(new Error("HCS_E_SYSTEM_NOT_FOUND"))).toBe(false);
    });
});
