/**
 * The Windows side of the guest connection, in the Windows node.exe under Wine: Winsock binds from
 * ws2_32.dll with every function the binding declares, and a Hyper-V socket where the host has none
 * (Wine has no AF_HYPERV) fails as a clear WSAEAFNOSUPPORT naming the call, which is what a create
 * on such a host reports at "failed to listen for the GCS connection". The simulated host's sockets
 * (the simulator DLL's, over TCP) are exercised by test/binding and test/provider in the same run.
 * And kernel32 gives the host's time zone in the form the guest gets it.
 */
import { hvSockets } from "../../provider/src/hvsock/hv-socket";
import { WinsockError } from "../../provider/src/hvsock/winsock-error";
import { bindWinsock } from "../../provider/src/hvsock/winsock";
import { WINSOCK_PROTOTYPES, winsockFunctionName } from "../../provider/src/hvsock/winsock-prototypes";
import { windowsTimeZone } from "../../provider/src/host/windows-time-zone";
import { describeOnWindows } from "./windows-only";

describeOnWindows("Hyper-V sockets on ws2_32.dll", () => {
    it("binds every declared Winsock function from ws2_32.dll and starts Winsock", () => {
        const winsock = bindWinsock(undefined);
        expect(winsock.libraryPath).toBe("ws2_32.dll");
        expect(winsock.simulated).toBe(false);
        for (const name of WINSOCK_PROTOTYPES.map(winsockFunctionName)) expect(typeof (winsock as unknown as Record<string, unknown>)[name]).toBe("function");
    });

    it("fails a listener with WSAEAFNOSUPPORT where Hyper-V sockets do not exist, naming the call", () => {
        let error: unknown;
        try {
            hvSockets().listen({ vmId: "0f9a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b", serviceId: "acef5661-84a1-4e44-856b-6245e69f4620" });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(WinsockError);
        expect((error as WinsockError).codeName).toBe("WSAEAFNOSUPPORT");
        expect((error as Error).message).toBe("socket(AF_HYPERV) failed: WSAEAFNOSUPPORT (10047): the address family is not supported " +
            "(AF_HYPERV needs Windows 10 / Server 2016 or later with Hyper-V; Wine has none)");
    });
});

describeOnWindows("the local host's time zone", () => {
    it("reads GetTimeZoneInformation into the HCS schema's TimeZoneInformation", () => {
        const zone = windowsTimeZone();
        expect(typeof zone.Bias).toBe("number");
        expect(zone.StandardName).toMatch(/\S/);
        expect(zone.StandardName).not.toContain("\0");
        expect(Object.keys(zone.StandardDate!)).toEqual(["Year", "Month", "DayOfWeek", "Day", "Hour", "Minute", "Second", "Milliseconds"]);
    });
});
