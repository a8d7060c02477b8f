/**
 * Connecting to the guest, from hcsshim v0.12.9 internal/gcs/guestconnection.go and its test's
 * `simpleGcs` guest: the exact messages the host sends (negotiation for version 4 exactly, then the
 * create and start messages when the guest asks for them, then the HvSocket modify of
 * internal/uvm/start.go), and hcsshim's errors when the guest answers wrongly.
 */
import { BridgeClosedError, type BridgeTransport } from "../../../provider/src/gcs/bridge";
import { frame, type BridgeMessage } from "../../../provider/src/gcs/framing";
import { GuestConnection } from "../../../provider/src/gcs/guest-connection";
import { MessageType, UTC_TIME_ZONE, WINDOWS_GCS_HV_HOST_ID, rpcName } from "../../../provider/src/gcs/protocol";
import { eachMessage, pipe } from "./pipe-transport";

type Answer = (request: BridgeMessage) => unknown | undefined;

/** A scripted guest: records each request (name and payload text) and answers with `answer`'s JSON. */
function scriptedGuest(end: BridgeTransport, answer: Answer): { requests: [string, string][] } {
    const requests: [string, string][] = [];
    eachMessage(end, async (message) => {
        const name = rpcName((message.type & ~MessageType.Request) >>> 0);
        requests.push([name, message.payload.toString("utf8")]);
        const response = answer(message);
        if (response !== undefined) {
            await end.write(frame((message.type ^ MessageType.Request ^ MessageType.Response) >>> 0, message.id, Buffer.from(JSON.stringify(response))));
        }
    });
    return { requests };
}

const connectOptions = { requestTimeoutMs: 30000 };

describe("GuestConnection.connect()", () => {
    it("TestGcsConnect: negotiates version 4 with simpleGcs's answer and records the OS it reports", async () => {
        const [host, guest] = pipe();
        const { requests } = scriptedGuest(guest, () => ({ Result: 0, Version: 4, Capabilities: { RuntimeOsType: "linux" } }));
        const connection = await GuestConnection.connect(host, connectOptions);
        expect(connection.negotiated).toMatchObject({ protocolVersion: 4, osType: "linux", capabilities: {} });
        expect(requests).toEqual([
            ["NegotiateProtocol", '{"ContainerId":"","ActivityId":"00000000-0000-0000-0000-000000000000","MinimumVersion":4,"MaximumVersion":4}\n'],
        ]);
        connection.close();
    });

    it("sends create (with the time zone as a JSON string) and start when the guest asks for both", async () => {
        const [host, guest] = pipe();
        const { requests } = scriptedGuest(guest, (m) => m.type === 0x10100b01
            ? { Result: 0, Version: 4, Capabilities: { SendHostCreateMessage: true, SendHostStartMessage: true, RuntimeOsType: "Windows",
                GuestDefinedCapabilities: { SignalProcessSupported: true, Unknown: true } } }
            : { Result: 0 });
        const connection = await GuestConnection.connect(host, { ...connectOptions, initialGuestState: { timeZone: UTC_TIME_ZONE } });
        expect(connection.negotiated.osType).toBe("windows");
        expect(connection.negotiated.capabilities).toEqual({ SignalProcessSupported: true });
        expect(requests.map(([name]) => name)).toEqual(["NegotiateProtocol", "Create", "Start"]);
        expect(requests[1]![1]).toBe(
            '{"ContainerId":"00000000-0000-0000-0000-000000000000","ActivityId":"00000000-0000-0000-0000-000000000000",' +
            '"ContainerConfig":"{\\"SystemType\\":\\"Container\\",\\"TimeZoneInformation\\":{\\"StandardName\\":\\"Coordinated Universal Time\\",' +
            '\\"StandardDate\\":{},\\"DaylightName\\":\\"Coordinated Universal Time\\",\\"DaylightDate\\":{}}}"}\n');
        expect(requests[2]![1]).toBe('{"ContainerId":"00000000-0000-0000-0000-000000000000","ActivityId":"00000000-0000-0000-0000-000000000000"}\n');
        connection.close();
    });

    it("sends create without start, and a null time zone, when that is all the guest asks for", async () => {
        const [host, guest] = pipe();
        const { requests } = scriptedGuest(guest, (m) => m.type === 0x10100b01
            ? { Result: 0, Version: 4, Capabilities: { SendHostCreateMessage: true } }
            : { Result: 0 });
        const connection = await GuestConnection.connect(host, connectOptions);
        expect(requests.map(([name]) => name)).toEqual(["NegotiateProtocol", "Create"]);
        expect(JSON.parse(JSON.parse(requests[1]![1]).ContainerConfig)).toEqual({ SystemType: "Container", TimeZoneInformation: null });
        connection.close();
    });

    it("writes a time zone in Go's field order, leaving zero values out", async () => {
        const [host, guest] = pipe();
        const { requests } = scriptedGuest(guest, (m) => m.type === 0x10100b01 ? { Result: 0, Version: 4, Capabilities: { SendHostCreateMessage: true } } : { Result: 0 });
        const zone = { DaylightBias: -60, DaylightName: "Eastern Daylight Time", Bias: 300, StandardName: "Eastern Standard Time", StandardBias: 0,
            StandardDate: { Month: 11, Day: 1, Hour: 2, DayOfWeek: 0 }, DaylightDate: { Month: 3, Day: 2, Hour: 2 } };
        const connection = await GuestConnection.connect(host, { ...connectOptions, initialGuestState: { timeZone: zone } });
        expect(JSON.parse(requests[1]![1]).ContainerConfig).toBe(
            '{"SystemType":"Container","TimeZoneInformation":{"Bias":300,"StandardName":"Eastern Standard Time","StandardDate":{"Month":11,"Day":1,"Hour":2},' +
            '"DaylightName":"Eastern Daylight Time","DaylightDate":{"Month":3,"Day":2,"Hour":2},"DaylightBias":-60}}');
        connection.close();
    });

    it("refuses any version but 4 with hcsshim's text, and closes the stream", async () => {
        const [host, guest] = pipe();
        scriptedGuest(guest, () => ({ Result: 0, Version: 3 }));
        await expect(GuestConnection.connect(host, connectOptions)).rejects.toThrow(/^unexpected version 3 returned$/);
        expect(host.closed).toBe(true);
    });

    it("a guest that refuses the version fails with its rpcError", async () => {
        const [host, guest] = pipe();
        scriptedGuest(guest, () => ({ Result: 0xc037010c | 0, ErrorMessage: "protocol version 4 is not supported (this guest speaks 5 to 5)" }));
        await expect(GuestConnection.connect(host, connectOptions)).rejects.toThrow("guest RPC failure: protocol version 4 is not supported (this guest speaks 5 to 5)");
    });

    it("a guest that closes mid-negotiation fails with bridge closed", async () => {
        const [host, guest] = pipe();
        scriptedGuest(guest, () => {
            guest.close();
            return undefined;
        });
        await expect(GuestConnection.connect(host, connectOptions)).rejects.toBeInstanceOf(BridgeClosedError);
    });

    it("a guest that never answers fails when the connection's signal aborts", async () => {
        const [host, guest] = pipe();
        scriptedGuest(guest, () => undefined);
        const reason = new Error("the guest took too long");
        const controller = new AbortController();
        const connecting = GuestConnection.connect(host, { ...connectOptions, signal: controller.signal });
        controller.abort(reason);
        await expect(connecting).rejects.toBe(reason);
        expect(host.closed).toBe(true);
    });
});

describe("GuestConnection.modify()", () => {
    it("sends the HvSocket settings of internal/uvm/start.go as a modify request for the null container", async () => {
        const [host, guest] = pipe();
        const { requests } = scriptedGuest(guest, (m) => m.type === 0x10100b01 ? { Result: 0, Version: 4 } : { Result: 0 });
        const connection = await GuestConnection.connect(host, connectOptions);
        const runtimeId = "8e2cd7e7-3dd3-4b73-9a0b-8c0e2a6c0a11";
        await connection.modify({ RequestType: "Update", ResourceType: "HvSocket", Settings: { LocalAddress: runtimeId, ParentAddress: WINDOWS_GCS_HV_HOST_ID } });
        expect(requests[1]).toEqual(["ModifySettings",
            '{"ContainerId":"00000000-0000-0000-0000-000000000000","ActivityId":"00000000-0000-0000-0000-000000000000",' +
            `"Request":{"RequestType":"Update","ResourceType":"HvSocket","Settings":{"LocalAddress":"${runtimeId}","ParentAddress":"894cc2d6-9d79-424f-93fe-42969ae6d8d1"}}}\n`]);
        connection.close();
    });
});
