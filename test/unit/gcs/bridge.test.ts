/**
 * The bridge, with hcsshim's own tests (internal/gcs/bridge_test.go) ported case by case: a
 * reflector that echoes each request back as its response, optionally late; notifications; and the
 * way a bridge ends.
 */
import { Bridge, BridgeClosedError, GuestRpcError, type BridgeTransport } from "../../../provider/src/gcs/bridge";
import { frame, MessageReader } from "../../../provider/src/gcs/framing";
import { MessageType, NOTIFY_CONTAINER, RPC } from "../../../provider/src/gcs/protocol";
import { eachMessage, pipe } from "./pipe-transport";

/** hcsshim's `reflector`: answers every request with its own payload, as a response, after `delayMs`. */
function reflector(end: BridgeTransport, delayMs: number): void {
    eachMessage(end, (message) => {
        setTimeout(() => {
            void end.write(frame(message.type ^ MessageType.Response ^ MessageType.Request, message.id, message.payload)).catch(() => undefined);
        }, delayMs).unref();
    });
}

function startReflectedBridge(delayMs: number, timeoutMs = 30000): Bridge {
    const [host, guest] = pipe();
    const bridge = new Bridge(host, { timeoutMs });
    bridge.start();
    reflector(guest, delayMs);
    return bridge;
}

const testRequest = { ContainerId: "", ActivityId: "00000000-0000-0000-0000-000000000000", X: 5, Y: 0 };

describe("Bridge.rpc()", () => {
    it("TestBridgeRPC: the response comes back with the request's fields", async () => {
        const bridge = startReflectedBridge(0);
        const response = await bridge.rpc<{ Result: number; X: number; Y: number }>(RPC.Create, testRequest, { allowCancel: false });
        expect([response.X, response.Y]).toEqual([5, 0]);
        bridge.close();
    });

    it("TestBridgeRPCResponseTimeout: no response within the bridge timeout closes the bridge", async () => {
        const bridge = startReflectedBridge(60_000, 100);
        const error = await bridge.rpc(RPC.Create, testRequest, { allowCancel: false }).then(() => new Error("resolved"), (e: unknown) => e as Error);
        expect(error).toBeInstanceOf(BridgeClosedError);
        expect(error.message).toContain("bridge closed");
        expect(error.message).toContain("message timeout: no response to Request(Create) within 100 ms");
        expect(bridge.isClosed).toBe(true);
    });

    it("TestBridgeRPCContextDone: a cancellable RPC ends with the context's error, the bridge stays up", async () => {
        const bridge = startReflectedBridge(60_000, 250);
        const deadline = new Error("context deadline exceeded");
        const controller = new AbortController();
        setTimeout(() => controller.abort(deadline), 100);
        const error = await bridge.rpc(RPC.Create, testRequest, { allowCancel: true, signal: controller.signal }).catch((e: unknown) => e);
        expect(error).toBe(deadline);
        expect(bridge.isClosed).toBe(false);
        bridge.close();
    });

    it("TestBridgeRPCContextDoneNoCancel: an RPC that cannot cancel waits for the bridge timeout", async () => {
        const bridge = startReflectedBridge(60_000, 250);
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error("context deadline exceeded")), 100);
        const error = await bridge.rpc(RPC.Create, testRequest, { allowCancel: false, signal: controller.signal }).then(() => new Error("resolved"), (e: unknown) => e as Error);
        expect(error.message).toContain("bridge closed");
    });

    it("TestBridgeRPCBridgeClosed: an RPC on a bridge that failed returns the bridge's error", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        await guest.write(frame(0x40000000, 0, Buffer.from("{}\n")));
        const ended = await bridge.wait();
        expect(ended?.message).toBe("bridge received unknown unknown message type 0x40000000");
        await expect(bridge.rpc(RPC.Create, testRequest, { allowCancel: false })).rejects.toBe(ended);
    });

    it("an already aborted signal stops the RPC before anything is sent", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const reason = new Error("too late");
        await expect(bridge.rpc(RPC.Create, testRequest, { allowCancel: true, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
        bridge.close();
        expect(await guest.read()).toBeNull();
    });

    it("a failure Result becomes hcsshim's rpcError, with the guest's message", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const pending = bridge.rpc(RPC.ModifySettings, testRequest, { allowCancel: false });
        const [request] = new MessageReader().push((await guest.read())!);
        await guest.write(frame(MessageType.Response | RPC.ModifySettings, request!.id, Buffer.from('{"Result":-2147024809,"ErrorMessage":"bad settings","ErrorRecords":[{"Result":-2147024809,"Message":"bad settings","ModuleName":"gcs","FileName":"x.go","Line":1}]}\n')));
        const error = await pending.then(() => new GuestRpcError("resolved", 0, undefined), (e: unknown) => e as GuestRpcError);
        expect(error).toBeInstanceOf(GuestRpcError);
        expect(error.message).toBe("guest RPC failure: bad settings");
        expect(error.hresult >>> 0).toBe(0x80070057);
        expect(bridge.isClosed).toBe(false);
        bridge.close();
    });

    it("without an ErrorMessage, rpcError names the HRESULT", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const pending = bridge.rpc(RPC.NegotiateProtocol, testRequest, { allowCancel: false });
        const [request] = new MessageReader().push((await guest.read())!);
        await guest.write(frame(MessageType.Response | RPC.NegotiateProtocol, request!.id, Buffer.from(`{"Result":${0x8037010c | 0}}\n`)));
        await expect(pending).rejects.toThrow("guest RPC failure: HCS_E_UNSUPPORTED_PROTOCOL_VERSION (0x8037010C): the protocol version is not supported");
        bridge.close();
    });

    it("a response nobody asked for ends the bridge", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        await guest.write(frame(MessageType.Response | RPC.Start, 42, Buffer.from("{}\n")));
        expect((await bridge.wait())?.message).toBe("bridge received unknown rpc response for id 42, type Response(Start)");
    });

    it("a response that is not JSON fails its RPC and ends the bridge", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const pending = bridge.rpc(RPC.Start, testRequest, { allowCancel: false });
        const [request] = new MessageReader().push((await guest.read())!);
        await guest.write(frame(MessageType.Response | RPC.Start, request!.id, Buffer.from("not json")));
        await expect(pending).rejects.toThrow(/^bridge response unmarshal failed: /);
        expect((await bridge.wait())?.message).toMatch(/^bridge response unmarshal failed: /);
    });

    it("a stream that ends inside a message is an unexpected EOF; every waiting RPC fails with bridge closed", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const pending = bridge.rpc(RPC.NegotiateProtocol, testRequest, { allowCancel: true });
        await guest.read();
        await guest.write(frame(MessageType.Response | RPC.NegotiateProtocol, 0, Buffer.from('{"Result":0,"Version":4}\n')).subarray(0, 20));
        guest.close();
        await expect(pending).rejects.toThrow("bridge closed: use of closed network connection (bridge read failed: unexpected EOF)");
    });

    it("a stream that ends between messages ends the bridge cleanly", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        const pending = bridge.rpc(RPC.NegotiateProtocol, testRequest, { allowCancel: true });
        guest.close();
        await expect(pending).rejects.toThrow(/^bridge closed: use of closed network connection$/);
        expect(await bridge.wait()).toBeUndefined();
    });

    it("gives each RPC the next message ID, from 0", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        void bridge.rpc(RPC.Create, testRequest, { allowCancel: false }).catch(() => undefined);
        void bridge.rpc(RPC.Start, testRequest, { allowCancel: false }).catch(() => undefined);
        const reader = new MessageReader();
        const seen: number[] = [];
        while (seen.length < 2) for (const m of reader.push((await guest.read())!)) seen.push(m.id);
        expect(seen).toEqual([0, 1]);
        bridge.close();
    });
});

describe("Bridge notifications", () => {
    const notification = { ContainerId: "c1", ActivityId: "00000000-0000-0000-0000-000000000000", Operation: "testing" };

    it("TestBridgeNotify: a container notification reaches notify", async () => {
        const [host, guest] = pipe();
        const received: unknown[] = [];
        const bridge = new Bridge(host, { timeoutMs: 30000, notify: (n) => received.push(n) });
        bridge.start();
        await guest.write(frame(MessageType.Notify | NOTIFY_CONTAINER, 0, Buffer.from(JSON.stringify(notification))));
        await new Promise((r) => setImmediate(r));
        expect(received).toEqual([notification]);
        expect(bridge.close()).toBeUndefined();
    });

    it("TestBridgeNotifyFailure: a failing notify ends the bridge with its error", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000, notify: () => { throw new Error("notify should have failed"); } });
        bridge.start();
        await guest.write(frame(MessageType.Notify | NOTIFY_CONTAINER, 0, Buffer.from(JSON.stringify(notification))));
        expect((await bridge.wait())?.message).toBe("bridge notification failed: notify should have failed");
    });

    it("without a notify function, a notification names the unknown container", async () => {
        const [host, guest] = pipe();
        const bridge = new Bridge(host, { timeoutMs: 30000 });
        bridge.start();
        await guest.write(frame(MessageType.Notify | NOTIFY_CONTAINER, 0, Buffer.from(JSON.stringify(notification))));
        expect((await bridge.wait())?.message).toBe("bridge notification failed: container c1 not found");
    });
});
