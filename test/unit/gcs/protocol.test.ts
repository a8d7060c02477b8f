/**
 * Message codes from hcsshim v0.12.9 internal/gcs/protocol.go, checked against the guest side's own
 * constants (internal/guest/prot/protocol.go lists them as literals: ComputeSystemCreateV1 =
 * 0x10100101 … ComputeSystemDeleteContainerStateV1 = 0x10100d01).
 */
import { MessageType, RPC, messageTypeName, rpcName } from "../../../provider/src/gcs/protocol";

describe("RPC codes", () => {
    it.each([
        ["Create", 0x10100101],
        ["Start", 0x10100201],
        ["ShutdownGraceful", 0x10100301],
        ["ShutdownForced", 0x10100401],
        ["ExecuteProcess", 0x10100501],
        ["WaitForProcess", 0x10100601],
        ["SignalProcess", 0x10100701],
        ["ResizeConsole", 0x10100801],
        ["GetProperties", 0x10100901],
        ["ModifySettings", 0x10100a01],
        ["NegotiateProtocol", 0x10100b01],
        ["DumpStacks", 0x10100c01],
        ["DeleteContainerState", 0x10100d01],
    ] as const)("Request(%s) is 0x%s on the wire", (name, wire) => {
        expect((MessageType.Request | RPC[name]) >>> 0).toBe(wire);
        expect(((MessageType.Response | RPC[name]) >>> 0).toString(16)).toBe((wire + 0x10000000).toString(16));
    });
});

describe("messageTypeName()", () => {
    it("names messages as hcsshim's msgType.String() does", () => {
        expect(messageTypeName(0x10100b01)).toBe("Request(NegotiateProtocol)");
        expect(messageTypeName(0x20100a01)).toBe("Response(ModifySettings)");
        expect(messageTypeName(0x30100101)).toBe("Notify(Container)");
        expect(messageTypeName(0x30100201)).toBe("Notify(0x30100201)");
        expect(messageTypeName(0x40000000)).toBe("0x40000000");
        expect(rpcName(0x1f01)).toBe("0x1f01");
    });
});
