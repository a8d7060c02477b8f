/**
 * The bridge protocol as the guest sees it, written from the guest side of hcsshim v0.12.9
 * (`internal/guest/prot/protocol.go` and `internal/guest/bridge/bridge.go`), independently of the
 * provider's host-side port (provider/src/gcs): if both sides shared one codec, a wrong code or field
 * would pass every test and fail against a real guest.
 *
 * A message is a MessageHeader {Type u32, Size u32 (header included), ID i64}, little-endian, then
 * JSON. Type is T(4 bits) | category(8) | message id(12) | version(8).
 */

export const MESSAGE_HEADER_SIZE = 16;

/** MtRequest / MtResponse / MtNotification, and the one category (McComputeSystem). */
export const MT_REQUEST = 0x10000000;
export const MT_RESPONSE = 0x20000000;
export const MESSAGE_TYPE_MASK = 0xf0000000;

/** The request identifiers the simulated guest knows (prot.ComputeSystem*V1). */
export const REQUESTS = {
    0x10100101: "Create",
    0x10100201: "Start",
    0x10100301: "ShutdownGraceful",
    0x10100401: "ShutdownForced",
    0x10100501: "ExecuteProcess",
    0x10100601: "WaitForProcess",
    0x10100701: "SignalProcess",
    0x10100801: "ResizeConsole",
    0x10100901: "GetProperties",
    0x10100a01: "ModifySettings",
    0x10100b01: "NegotiateProtocol",
    0x10100c01: "DumpStacks",
    0x10100d01: "DeleteContainerState",
} as const satisfies Record<number, string>;

export type RequestName = (typeof REQUESTS)[keyof typeof REQUESTS];

export const REQUEST_NAMES: readonly RequestName[] = Object.values(REQUESTS);

/** prot.GetResponseIdentifier: the response of a request keeps everything but the type nibble. */
export function responseIdentifier(request: number): number {
    return (MT_RESPONSE | (request & ~MESSAGE_TYPE_MASK)) >>> 0;
}

export interface GuestMessage {
    readonly type: number;
    readonly id: bigint;
    readonly payload: Buffer;
}

/** Splits the host's byte stream into messages (the guest bridge's header-then-payload reads). */
export class GuestMessageReader {
    private buffered: Buffer = Buffer.alloc(0);

    /** @throws RangeError for a size smaller than the header: the stream is garbage from there on. */
    push(chunk: Buffer): GuestMessage[] {
        this.buffered = Buffer.concat([this.buffered, chunk]);
        const out: GuestMessage[] = [];
        while (this.buffered.length >= MESSAGE_HEADER_SIZE) {
            const size = this.buffered.readUInt32LE(4);
            if (size < MESSAGE_HEADER_SIZE) throw new RangeError(`bridge: message size ${size} is smaller than its header`);
            if (this.buffered.length < size) break;
            out.push({ type: this.buffered.readUInt32LE(0), id: this.buffered.readBigInt64LE(8), payload: this.buffered.subarray(MESSAGE_HEADER_SIZE, size) });
            this.buffered = this.buffered.subarray(size);
        }
        return out;
    }
}

/** A response to `request`: its identifier turned into a response, its ID, the JSON body. */
export function responseMessage(request: GuestMessage, body: unknown): Buffer {
    const payload = Buffer.from(JSON.stringify(body), "utf8");
    const out = Buffer.alloc(MESSAGE_HEADER_SIZE + payload.length);
    out.writeUInt32LE(responseIdentifier(request.type), 0);
    out.writeUInt32LE(out.length, 4);
    out.writeBigInt64LE(request.id, 8);
    payload.copy(out, MESSAGE_HEADER_SIZE);
    return out;
}

/** prot.MessageResponseBase with an error, as the guest's setErrorForResponseBase fills it. */
export function errorResponse(hresult: number, message: string, functionName: string): Record<string, unknown> {
    return {
        Result: hresult | 0,
        ErrorMessage: message,
        ErrorRecords: [{
            Result: hresult | 0,
            Message: message,
            ModuleName: "gcs",
            FileName: "simulated-guest",
            // The guest's sentinel for "no line number" (it logs -1, which is MaxUint32 as a uint32).
            Line: 0xffffffff,
            FunctionName: functionName,
        }],
    };
}
