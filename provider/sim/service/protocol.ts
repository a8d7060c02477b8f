/**
 * The simulator's wire protocol between the native library (hcssim.c) and the service: one frame
 * format over a Unix socket or TCP. docs/simulator.md describes it; hcssim.c has the C side, and the
 * two must change together.
 *
 * A frame is a little-endian u32 body length, then the body:
 *
 *     u8 kind | u8 fn | u16 nstr | u32 reqId | u32 handle | i32 hr | u32 arg | nstr × (u32 len | bytes)
 *
 * Strings are UTF-8; a length of 0xFFFFFFFF is a NULL string (distinct from "").
 */

export const PROTOCOL_VERSION = 1;

/** Body bytes before the strings. */
export const FRAME_HEADER = 20;

/** Largest body accepted; documents are otherwise limited by memory only. */
export const FRAME_MAX = 1 << 30;

const NULL_STRING = 0xffffffff;

export enum FrameKind {
    Hello = 1,
    Request = 2,
    Reply = 3,
    Event = 4,
}

/** Function codes: one per computecore function that reaches the service. */
export enum Fn {
    Enumerate = 1,
    Create = 2,
    Open = 3,
    Close = 4,
    Start = 5,
    ShutDown = 6,
    Terminate = 7,
    Pause = 8,
    Resume = 9,
    GetProperties = 10,
    Modify = 11,
    SetCallback = 12,
    GetServiceProperties = 13,
    GrantVmAccess = 14,
    RevokeVmAccess = 15,
    GrantVmGroupAccess = 16,
    RevokeVmGroupAccess = 17,
    /** A Hyper-V socket of the simulated host binds (VM ID, service ID): see hv-socket-namespace.ts. */
    HvSocketBind = 18,
    HvSocketClose = 19,
}

/** The computecore function name behind each code (what faults and call counts are keyed by). */
export const FUNCTION_NAMES: Readonly<Record<Fn, string>> = {
    [Fn.Enumerate]: "HcsEnumerateComputeSystems",
    [Fn.Create]: "HcsCreateComputeSystem",
    [Fn.Open]: "HcsOpenComputeSystem",
    [Fn.Close]: "HcsCloseComputeSystem",
    [Fn.Start]: "HcsStartComputeSystem",
    [Fn.ShutDown]: "HcsShutDownComputeSystem",
    [Fn.Terminate]: "HcsTerminateComputeSystem",
    [Fn.Pause]: "HcsPauseComputeSystem",
    [Fn.Resume]: "HcsResumeComputeSystem",
    [Fn.GetProperties]: "HcsGetComputeSystemProperties",
    [Fn.Modify]: "HcsModifyComputeSystem",
    [Fn.SetCallback]: "HcsSetComputeSystemCallback",
    [Fn.GetServiceProperties]: "HcsGetServiceProperties",
    [Fn.GrantVmAccess]: "HcsGrantVmAccess",
    [Fn.RevokeVmAccess]: "HcsRevokeVmAccess",
    [Fn.GrantVmGroupAccess]: "HcsGrantVmGroupAccess",
    [Fn.RevokeVmGroupAccess]: "HcsRevokeVmGroupAccess",
    // Not computecore: the library's simulated Winsock (its exports carry this prefix).
    [Fn.HvSocketBind]: "HcsSimHv_bind",
    [Fn.HvSocketClose]: "HcsSimHv_closesocket",
};

/** Functions whose result arrives through an HCS_OPERATION (the others block for the reply). */
export const ASYNC_FUNCTIONS: ReadonlySet<Fn> = new Set([
    Fn.Enumerate, Fn.Create, Fn.Start, Fn.ShutDown, Fn.Terminate, Fn.Pause, Fn.Resume, Fn.GetProperties, Fn.Modify,
]);

/** Function code for a computecore function name, or undefined. */
export function fnByName(name: string): Fn | undefined {
    for (const [code, fnName] of Object.entries(FUNCTION_NAMES)) {
        if (fnName === name) return Number(code) as Fn;
    }
    return undefined;
}

export interface Frame {
    readonly kind: FrameKind;
    readonly fn: number;
    readonly reqId: number;
    readonly handle: number;
    readonly hr: number;
    readonly arg: number;
    readonly strings: readonly (string | null)[];
}

/** Encodes a frame, length prefix included. */
export function encodeFrame(frame: Frame): Buffer {
    const encoded = frame.strings.map((s) => (s === null ? null : Buffer.from(s, "utf8")));
    let body = FRAME_HEADER;
    for (const b of encoded) body += 4 + (b === null ? 0 : b.length);
    if (body > FRAME_MAX) throw new RangeError(`Cannot encode a ${body}-byte frame: the limit is ${FRAME_MAX} bytes`);
    const out = Buffer.allocUnsafe(4 + body);
    out.writeUInt32LE(body, 0);
    out.writeUInt8(frame.kind, 4);
    out.writeUInt8(frame.fn, 5);
    out.writeUInt16LE(frame.strings.length, 6);
    out.writeUInt32LE(frame.reqId >>> 0, 8);
    out.writeUInt32LE(frame.handle >>> 0, 12);
    out.writeInt32LE(frame.hr | 0, 16);
    out.writeUInt32LE(frame.arg >>> 0, 20);
    let at = 24;
    for (const b of encoded) {
        if (b === null) {
            out.writeUInt32LE(NULL_STRING, at);
            at += 4;
        } else {
            out.writeUInt32LE(b.length, at);
            at += 4;
            b.copy(out, at);
            at += b.length;
        }
    }
    return out;
}

/** Decodes one frame body (the bytes after the length prefix). */
export function decodeBody(body: Buffer): Frame {
    if (body.length < FRAME_HEADER) throw new RangeError(`Cannot decode a ${body.length}-byte frame body: shorter than its header`);
    const nstr = body.readUInt16LE(2);
    const strings: (string | null)[] = [];
    let at = FRAME_HEADER;
    for (let i = 0; i < nstr; i++) {
        if (at + 4 > body.length) throw new RangeError("Cannot decode a frame: a string length runs past its end");
        const len = body.readUInt32LE(at);
        at += 4;
        if (len === NULL_STRING) {
            strings.push(null);
            continue;
        }
        if (at + len > body.length) throw new RangeError("Cannot decode a frame: a string runs past its end");
        strings.push(body.toString("utf8", at, at + len));
        at += len;
    }
    return {
        kind: body.readUInt8(0) as FrameKind,
        fn: body.readUInt8(1),
        reqId: body.readUInt32LE(4),
        handle: body.readUInt32LE(8),
        hr: body.readInt32LE(12),
        arg: body.readUInt32LE(16),
        strings,
    };
}

/** Splits a byte stream into frames. */
export class FrameReader {
    private chunks: Buffer[] = [];
    private buffered = 0;

    /**
     * Adds bytes and returns every frame now complete.
     * @throws {RangeError} on a malformed frame (the connection should then be dropped).
     */
    push(chunk: Buffer): Frame[] {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
        const frames: Frame[] = [];
        for (;;) {
            if (this.buffered < 4) break;
            const head = this.peek(4);
            const len = head.readUInt32LE(0);
            if (len < FRAME_HEADER || len > FRAME_MAX) throw new RangeError(`Cannot read a frame of ${len} bytes`);
            if (this.buffered < 4 + len) break;
            const all = this.take(4 + len);
            frames.push(decodeBody(all.subarray(4)));
        }
        return frames;
    }

    private peek(n: number): Buffer {
        if (this.chunks[0]!.length >= n) return this.chunks[0]!;
        const joined = Buffer.concat(this.chunks);
        this.chunks = [joined];
        return joined;
    }

    private take(n: number): Buffer {
        const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        const out = joined.subarray(0, n);
        const rest = joined.subarray(n);
        this.chunks = rest.length > 0 ? [rest] : [];
        this.buffered = rest.length;
        return out;
    }
}
