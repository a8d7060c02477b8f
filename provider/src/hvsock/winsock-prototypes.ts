/**
 * The Winsock functions the Hyper-V socket binding calls, written as mingw-w64's `winsock2.h`
 * declares them (test/conformance/winsock-header.test.ts compiles each line against it), and the
 * constants of AF_HYPERV sockets. A real host binds them from ws2_32.dll; a simulated host from the
 * simulator's library, which exports them under SIMULATOR_EXPORT_PREFIX (docs/simulator.md).
 */
export const WINSOCK_PROTOTYPES = [
    "int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)",
    "SOCKET WSAAPI socket(int af, int type, int protocol)",
    "int WSAAPI bind(SOCKET s, const struct sockaddr *name, int namelen)",
    "int WSAAPI listen(SOCKET s, int backlog)",
    "SOCKET WSAAPI accept(SOCKET s, struct sockaddr *addr, int *addrlen)",
    "int WSAAPI recv(SOCKET s, char *buf, int len, int flags)",
    "int WSAAPI send(SOCKET s, const char *buf, int len, int flags)",
    "int WSAAPI closesocket(SOCKET s)",
    "int WSAAPI ioctlsocket(SOCKET s, long cmd, u_long *argp)",
    "int WSAAPI WSAPoll(WSAPOLLFD fdArray[], ULONG fds, INT timeout)",
    "int WSAAPI WSAGetLastError(void)",
] as const;

/** What the simulator's library puts before each Winsock name (a Linux library exporting `socket` would shadow libc's). */
export const SIMULATOR_EXPORT_PREFIX = "HcsSimHv_";

/** The function name a prototype line declares. */
export function winsockFunctionName(prototype: string): string {
    const match = /WSAAPI\s+(\w+)\s*\(/.exec(prototype);
    if (!match) throw new Error(`Cannot find the function name in prototype '${prototype}'`);
    return match[1]!;
}

/**
 * Windows type names → ABI-stable koffi types (Win64 is LLP64: `long` and `u_long` are 32 bits).
 * Buffers cross as `void *`: the binding lays out SOCKADDR_HV and WSAPOLLFD itself (winsock-types.ts,
 * checked against the headers' sizes and offsets).
 */
const KOFFI_TYPES: readonly [RegExp, string][] = [
    [/\bWSAAPI\b/g, "__stdcall"],
    [/\bSOCKET\b/g, "uintptr_t"],
    [/\bWORD\b/g, "uint16_t"],
    [/\bULONG\b/g, "uint32_t"],
    [/\bINT\b/g, "int32_t"],
    [/\bu_long\b/g, "uint32_t"],
    [/\blong\b/g, "int32_t"],
    [/\bLPWSADATA\b/g, "void *"],
    [/\bconst struct sockaddr \*/g, "const void *"],
    [/\bstruct sockaddr \*/g, "void *"],
    [/\bconst char \*/g, "const void *"],
    [/\bchar \*/g, "void *"],
    [/\bWSAPOLLFD (\w+)\[\]/g, "void *$1"],
];

/** A header prototype in koffi's syntax, under the name the library exports it as. */
export function toKoffiWinsockPrototype(prototype: string, exportPrefix: string): string {
    let koffiPrototype = prototype;
    for (const [pattern, replacement] of KOFFI_TYPES) koffiPrototype = koffiPrototype.replace(pattern, replacement);
    const name = winsockFunctionName(prototype);
    return koffiPrototype.replace(new RegExp(`\\b${name}\\s*\\(`), `${exportPrefix}${name}(`);
}

/** `AF_HYPERV` (Windows SDK ws2def.h; mingw-w64's headers lack it; go-winio's `afHVSock`). */
export const AF_HYPERV = 34;
export const SOCK_STREAM = 1;
/** `HV_PROTOCOL_RAW` (hvsocket.h). */
export const HV_PROTOCOL_RAW = 1;
export const SOCKET_ERROR = -1;
/** `INVALID_SOCKET`: `~(SOCKET)0`, which koffi returns as a BigInt. */
export const INVALID_SOCKET = 0xffff_ffff_ffff_ffffn;
/** `FIONBIO` (`_IOW('f',126,u_long)`) as the signed 32-bit `long` ioctlsocket takes. */
export const FIONBIO = 0x8004667e | 0;
/** `SOMAXCONN`, go-winio's listen backlog for hvsock listeners. */
export const SOMAXCONN = 0x7fffffff;
/** Winsock 2.2, as `MAKEWORD(2, 2)`. */
export const WINSOCK_VERSION = 0x0202;

/** WSAPoll event bits (winsock2.h). */
export const POLL = {
    RDNORM: 0x0100,
    WRNORM: 0x0010,
    ERR: 0x0001,
    HUP: 0x0002,
    NVAL: 0x0004,
} as const;
