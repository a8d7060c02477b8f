import { HRESULTS, failed, formatHresult, hresultName, toHresult } from "../../../provider/src/hcs/hresult";

describe("hresult", () => {
    it("toHresult() turns koffi's signed int32 into the unsigned value", () => {
        expect(toHresult(-2143878888)).toBe(0x80370118);
    });

    it("failed() is true exactly when the sign bit is set", () => {
        expect(failed(0)).toBe(false);
        expect(failed(1)).toBe(false);
        expect(failed(-2143878888)).toBe(true);
        expect(failed(0x80370118)).toBe(true);
    });

    it("formatHresult() prints eight upper-case hex digits", () => {
        expect(formatHresult(-2143878899)).toBe("0x8037010D");
        expect(formatHresult(5)).toBe("0x00000005");
    });

    it("hresultName() names every HCS_E_* code of HCSHResult.md", () => {
        const hcsCodes = Object.entries(HRESULTS).filter(([name]) => name.startsWith("HCS_E_"));
        expect(hcsCodes).toHaveLength(30);
        for (const [name, value] of hcsCodes) expect(hresultName(value | 0)).toBe(name);
    });

    it("hresultName() names the legacy vmcompute codes hcsshim checks", () => {
        expect(hresultName(0xc037010e)).toBe("ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND");
        expect(hresultName(0xc0370110)).toBe("ERROR_VMCOMPUTE_SYSTEM_ALREADY_STOPPED");
        expect(hresultName(0xc0370103)).toBe("ERROR_VMCOMPUTE_OPERATION_PENDING");
    });

    it("hresultName() falls back to HRESULT_FROM_WIN32(n) and HRESULT for codes it does not name", () => {
        expect(hresultName(0x80070020)).toBe("HRESULT_FROM_WIN32(32)");
        expect(hresultName(0x8badf00d)).toBe("HRESULT");
    });
});
