/**
 * A failed Winsock call: the function and the WSAGetLastError code, by name. The codes are
 * winsock2.h's; the texts say what each means for a Hyper-V socket.
 */
const WSA_ERRORS: Readonly<Record<number, readonly [name: string, meaning: string]>> = {
    10004: ["WSAEINTR", "the call was interrupted (the socket was closed)"],
    10013: ["WSAEACCES", "access is denied (binding a VM's Hyper-V socket needs SYSTEM or Administrators)"],
    10014: ["WSAEFAULT", "a buffer or address is invalid"],
    10022: ["WSAEINVAL", "an argument is invalid"],
    10024: ["WSAEMFILE", "too many open sockets"],
    10035: ["WSAEWOULDBLOCK", "the call would block"],
    10038: ["WSAENOTSOCK", "not a socket"],
    10043: ["WSAEPROTONOSUPPORT", "the protocol is not supported"],
    10044: ["WSAESOCKTNOSUPPORT", "the socket type is not supported"],
    10045: ["WSAEOPNOTSUPP", "the operation is not supported"],
    10047: ["WSAEAFNOSUPPORT", "the address family is not supported (AF_HYPERV needs Windows 10 / Server 2016 or later with Hyper-V; Wine has none)"],
    10048: ["WSAEADDRINUSE", "another socket is bound to this VM ID and service ID"],
    10050: ["WSAENETDOWN", "the network subsystem (or the simulator service) is unavailable"],
    10053: ["WSAECONNABORTED", "the connection was aborted"],
    10054: ["WSAECONNRESET", "the peer reset the connection"],
    10055: ["WSAENOBUFS", "no buffer space is available"],
    10057: ["WSAENOTCONN", "the socket is not connected"],
    10061: ["WSAECONNREFUSED", "the connection was refused"],
    10063: ["WSAENAMETOOLONG", "the name is too long"],
    10093: ["WSANOTINITIALISED", "WSAStartup has not been called"],
};

export const WSAEWOULDBLOCK = 10035;
export const WSAECONNABORTED = 10053;
export const WSAEINTR = 10004;

export class WinsockError extends Error {
    override readonly name = "WinsockError";
    /** The symbolic name, e.g. `WSAEAFNOSUPPORT`, or `WSA error <n>`. */
    readonly codeName: string;

    constructor(readonly operation: string, readonly code: number, detail?: string) {
        const [name, meaning] = WSA_ERRORS[code] ?? [`WSA error ${code}`, undefined];
        super(`${operation} failed: ${name} (${code})${meaning ? `: ${meaning}` : ""}${detail ? ` (${detail})` : ""}`);
        this.codeName = name;
    }
}
