/**
 * How bridge messages travel on the Hyper-V socket (hcsshim v0.12.9 `internal/gcs/bridge.go`): a
 * 16-byte little-endian header (type u32, size u32 counting the header, message ID u64), then the
 * JSON payload. hcsshim writes the payload with a json.Encoder, so it ends with a newline, and reads
 * at most `maxMsgSize` bytes per message.
 */
import { goJsonText } from "./go-encoder-json";

export const HEADER_SIZE = 16;
const OFFSET_TYPE = 0;
const OFFSET_SIZE = 4;
const OFFSET_ID = 8;

/**
 * `maxMsgSize`: hcsshim refuses larger incoming messages ("This is not enforced by the guest today
 * but some maximum must be set to avoid unbounded allocations").
 */
export const MAX_MESSAGE_SIZE = 0x10000;

/** One message off the wire. */
export interface BridgeMessage {
    readonly type: number;
    /** hcsshim's message IDs are int64; ours stay far below 2^53. */
    readonly id: number;
    readonly payload: Buffer;
}

/** `writeMessage`: the header, then `body` as Go's json.Encoder (SetEscapeHTML(false)) writes it. */
export function encodeMessage(type: number, id: number, body: unknown): Buffer {
    const payload = Buffer.from(`${goJsonText(body, { escapeHtml: false })}\n`, "utf8");
    return frame(type, id, payload);
}

/** A header and a payload as they are (tests and the guest side send raw payloads). */
export function frame(type: number, id: number, payload: Buffer): Buffer {
    const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
    out.writeUInt32LE(type >>> 0, OFFSET_TYPE);
    out.writeUInt32LE(out.length, OFFSET_SIZE);
    out.writeBigUInt64LE(BigInt(id), OFFSET_ID);
    payload.copy(out, HEADER_SIZE);
    return out;
}

/**
 * `readMessage`, for a byte stream that arrives in chunks: push what was received, take the
 * messages now complete.
 */
export class MessageReader {
    private buffered: Buffer = Buffer.alloc(0);

    /**
     * @throws RangeError `invalid message size <n>` (hcsshim's text) for a size below the header or
     *   above MAX_MESSAGE_SIZE: the stream cannot be resynchronised, so the bridge must close.
     */
    push(chunk: Buffer): BridgeMessage[] {
        this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
        const messages: BridgeMessage[] = [];
        while (this.buffered.length >= HEADER_SIZE) {
            const size = this.buffered.readUInt32LE(OFFSET_SIZE);
            if (size < HEADER_SIZE || size > MAX_MESSAGE_SIZE) throw new RangeError(`invalid message size ${size}`);
            if (this.buffered.length < size) break;
            messages.push({
                type: this.buffered.readUInt32LE(OFFSET_TYPE),
                id: Number(this.buffered.readBigInt64LE(OFFSET_ID)),
                payload: this.buffered.subarray(HEADER_SIZE, size),
            });
            this.buffered = this.buffered.subarray(size);
        }
        return messages;
    }

    /** Bytes of a message not yet complete: at end of stream, more than 0 is `unexpected EOF`. */
    get pending(): number {
        return this.buffered.length;
    }
}
