/**
 * The bridge's framing, from hcsshim v0.12.9 internal/gcs/bridge.go: a 16-byte little-endian header
 * (type, size including the header, 64-bit ID), a JSON payload written by a json.Encoder (so it ends
 * in a newline), and at most 0x10000 bytes per incoming message.
 */
import { encodeMessage, frame, HEADER_SIZE, MAX_MESSAGE_SIZE, MessageReader } from "../../../provider/src/gcs/framing";
import { MessageType, RPC } from "../../../provider/src/gcs/protocol";

describe("encodeMessage()", () => {
    it("writes the header hcsshim's sendMessage writes, then the JSON with json.Encoder's newline", () => {
        const bytes = encodeMessage(MessageType.Request | RPC.NegotiateProtocol, 0, { MinimumVersion: 4, MaximumVersion: 4 });
        const payload = '{"MinimumVersion":4,"MaximumVersion":4}\n';
        expect(bytes.subarray(0, HEADER_SIZE).toString("hex")).toBe(
            "010b1010" + // type 0x10100b01, little-endian
            (HEADER_SIZE + payload.length).toString(16).padStart(2, "0") + "000000" +
            "0000000000000000", // message ID 0
        );
        expect(bytes.subarray(HEADER_SIZE).toString("utf8")).toBe(payload);
    });

    it("writes a 64-bit message ID", () => {
        const bytes = encodeMessage(MessageType.Request | RPC.Create, 2 ** 40 + 7, {});
        expect(bytes.readBigUInt64LE(8)).toBe(2n ** 40n + 7n);
    });

    it("escapes no HTML characters (SetEscapeHTML(false)) but does escape U+2028 as Go does", () => {
        const bytes = encodeMessage(MessageType.Request | RPC.Create, 1, { A: "<a&b>\u2028" });
        expect(bytes.subarray(HEADER_SIZE).toString("utf8")).toBe('{"A":"<a&b>\\u2028"}\n');
    });
});

describe("MessageReader", () => {
    it("reads messages split across chunks and several in one chunk", () => {
        const one = frame(MessageType.Response | RPC.Start, 3, Buffer.from("{}\n"));
        const two = frame(MessageType.Response | RPC.ModifySettings, 4, Buffer.from('{"Result":0}\n'));
        const reader = new MessageReader();
        const all = Buffer.concat([one, two]);
        expect(reader.push(all.subarray(0, 10))).toEqual([]);
        const messages = reader.push(all.subarray(10));
        expect(messages.map((m) => [m.type, m.id, m.payload.toString()])).toEqual([
            [0x20100201, 3, "{}\n"],
            [0x20100a01, 4, '{"Result":0}\n'],
        ]);
        expect(reader.pending).toBe(0);
    });

    it("refuses a size below the header or above maxMsgSize with hcsshim's 'invalid message size'", () => {
        const small = Buffer.alloc(HEADER_SIZE);
        small.writeUInt32LE(8, 4);
        expect(() => new MessageReader().push(small)).toThrow("invalid message size 8");
        const big = Buffer.alloc(HEADER_SIZE);
        big.writeUInt32LE(MAX_MESSAGE_SIZE + 1, 4);
        expect(() => new MessageReader().push(big)).toThrow(`invalid message size ${MAX_MESSAGE_SIZE + 1}`);
    });

    it("counts the bytes of an incomplete message, so the end of the stream there is an unexpected EOF", () => {
        const reader = new MessageReader();
        reader.push(frame(MessageType.Response | RPC.Start, 1, Buffer.from("{}\n")).subarray(0, 17));
        expect(reader.pending).toBe(17);
    });
});
