import koffi, { type TypeObject } from "koffi";
import { AF_HYPERV } from "./winsock-prototypes";

/**
 * The structures the Hyper-V socket binding passes, declared with koffi as hvsocket.h and winsock2.h
 * lay them out (the conformance test compares koffi's sizes and offsets with the headers'), plus the
 * byte encodings the binding builds from them.
 *
 *     typedef struct _SOCKADDR_HV { ADDRESS_FAMILY Family; USHORT Reserved; GUID VmId; GUID ServiceId; } SOCKADDR_HV;
 *     typedef struct pollfd { SOCKET fd; short events; short revents; } WSAPOLLFD;
 */
export interface WinsockTypes {
    readonly GUID: TypeObject;
    readonly SOCKADDR_HV: TypeObject;
    readonly WSAPOLLFD: TypeObject;
}

export function registerWinsockTypes(): WinsockTypes {
    const GUID = once("GUID", () => koffi.struct("GUID", { Data1: "uint32_t", Data2: "uint16_t", Data3: "uint16_t", Data4: koffi.array("uint8_t", 8) }));
    const SOCKADDR_HV = once("SOCKADDR_HV", () => koffi.struct("SOCKADDR_HV", { Family: "uint16_t", Reserved: "uint16_t", VmId: GUID, ServiceId: GUID }));
    const WSAPOLLFD = once("WSAPOLLFD", () => koffi.struct("WSAPOLLFD", { fd: "uintptr_t", events: "int16_t", revents: "int16_t" }));
    return { GUID, SOCKADDR_HV, WSAPOLLFD };
}

/** koffi's type names are process-wide while modules may load many times (jest): reuse a registered name. */
function once(name: string, create: () => TypeObject): TypeObject {
    try {
        return koffi.type(name);
    } catch {
        return create();
    }
}

const GUID_TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/**
 * A GUID's 16 bytes as Windows stores a GUID struct: Data1, Data2, Data3 little-endian, Data4 as
 * written. `acef5661-84a1-4e44-856b-6245e69f4620` → `61 56 ef ac a1 84 44 4e 85 6b 62 45 e6 9f 46 20`.
 * @throws RangeError when `text` is not a GUID.
 */
export function guidBytes(text: string): Buffer {
    const match = GUID_TEXT.exec(text);
    if (!match) throw new RangeError(`Cannot use '${text}' as a Hyper-V socket address: not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
    const out = Buffer.alloc(16);
    out.writeUInt32LE(parseInt(match[1]!, 16), 0);
    out.writeUInt16LE(parseInt(match[2]!, 16), 4);
    out.writeUInt16LE(parseInt(match[3]!, 16), 6);
    Buffer.from(match[4]! + match[5]!, "hex").copy(out, 8);
    return out;
}

/** The GUID text of 16 bytes laid out as a Windows GUID struct (lower case, as Go's guid.String()). */
export function guidText(bytes: Buffer): string {
    const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
    const tail = bytes.subarray(8, 16).toString("hex");
    return `${hex(bytes.readUInt32LE(0), 8)}-${hex(bytes.readUInt16LE(4), 4)}-${hex(bytes.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** A SOCKADDR_HV for (VM ID, service ID), laid out as `types.SOCKADDR_HV`. */
export function sockaddrHv(types: WinsockTypes, vmId: string, serviceId: string): Buffer {
    const out = Buffer.alloc(koffi.sizeof(types.SOCKADDR_HV));
    out.writeUInt16LE(AF_HYPERV, koffi.offsetof(types.SOCKADDR_HV, "Family"));
    guidBytes(vmId).copy(out, koffi.offsetof(types.SOCKADDR_HV, "VmId"));
    guidBytes(serviceId).copy(out, koffi.offsetof(types.SOCKADDR_HV, "ServiceId"));
    return out;
}

/** A WSAPOLLFD array for WSAPoll, and how to read each entry's revents back. */
export function pollArray(types: WinsockTypes, entries: readonly { readonly socket: bigint; readonly events: number }[]): { buffer: Buffer; revents(index: number): number } {
    const size = koffi.sizeof(types.WSAPOLLFD);
    const fd = koffi.offsetof(types.WSAPOLLFD, "fd");
    const events = koffi.offsetof(types.WSAPOLLFD, "events");
    const revents = koffi.offsetof(types.WSAPOLLFD, "revents");
    const buffer = Buffer.alloc(Math.max(1, entries.length) * size);
    entries.forEach((entry, i) => {
        buffer.writeBigUInt64LE(entry.socket, i * size + fd);
        buffer.writeInt16LE(entry.events, i * size + events);
    });
    return { buffer, revents: (index) => buffer.readUInt16LE(index * size + revents) };
}
