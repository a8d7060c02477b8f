import koffi, { type KoffiFunc } from "koffi";
import { isWindows } from "../platform";
import { SIMULATOR_EXPORT_PREFIX, WINSOCK_PROTOTYPES, toKoffiWinsockPrototype, winsockFunctionName, WINSOCK_VERSION } from "./winsock-prototypes";
import { registerWinsockTypes, type WinsockTypes } from "./winsock-types";

/** A SOCKET handle: koffi gives `uintptr_t` as a number, or a BigInt above 2^53 (INVALID_SOCKET). */
export type Socket = number | bigint;

/** The typed Winsock functions; each has `.async` to run on the libuv thread pool. */
export interface WinsockFunctions {
    WSAStartup: KoffiFunc<(version: number, data: Buffer) => number>;
    socket: KoffiFunc<(af: number, type: number, protocol: number) => Socket>;
    bind: KoffiFunc<(s: Socket, name: Buffer, namelen: number) => number>;
    listen: KoffiFunc<(s: Socket, backlog: number) => number>;
    accept: KoffiFunc<(s: Socket, addr: Buffer | null, addrlen: [number] | null) => Socket>;
    recv: KoffiFunc<(s: Socket, buf: Buffer, len: number, flags: number) => number>;
    send: KoffiFunc<(s: Socket, buf: Buffer, len: number, flags: number) => number>;
    closesocket: KoffiFunc<(s: Socket) => number>;
    ioctlsocket: KoffiFunc<(s: Socket, cmd: number, argp: [number]) => number>;
    WSAPoll: KoffiFunc<(fdArray: Buffer, fds: number, timeout: number) => number>;
    WSAGetLastError: KoffiFunc<() => number>;
}

// Compile-time proof that the typed interface and the prototype list name the same functions.
type DeclaredName<P> = P extends `${string} WSAAPI ${infer Name}(${string}` ? Name : never;
type Missing = Exclude<DeclaredName<(typeof WINSOCK_PROTOTYPES)[number]>, keyof WinsockFunctions> | Exclude<keyof WinsockFunctions, DeclaredName<(typeof WINSOCK_PROTOTYPES)[number]>>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

/** Winsock bound into this process, and where from. */
export interface Winsock extends WinsockFunctions {
    readonly libraryPath: string;
    readonly simulated: boolean;
    readonly types: WinsockTypes;
}

/**
 * Where Winsock comes from: ws2_32.dll for a real Windows host; the simulator's library (the one its
 * computecore came from) for a simulated host, whose Hyper-V sockets live in the simulator.
 * @throws Error off Windows without a simulator library: Hyper-V sockets exist only on Windows.
 */
export function winsockLibraryPath(simulatorLibrary: string | undefined): { readonly path: string; readonly simulated: boolean } {
    if (simulatorLibrary !== undefined) return { path: simulatorLibrary, simulated: true };
    if (isWindows) return { path: "ws2_32.dll", simulated: false };
    throw new Error("Cannot use Hyper-V sockets here: they exist only on Windows (or on a simulated host, host: \"sim:<socket>\")");
}

const bound = new Map<string, Winsock>();

/**
 * Loads Winsock (or the simulator's) and declares every function once per library and process;
 * calls WSAStartup, as every Winsock client must before its first socket.
 * @throws Error when the library cannot be loaded, lacks a function, or WSAStartup fails.
 */
export function bindWinsock(simulatorLibrary: string | undefined): Winsock {
    const { path, simulated } = winsockLibraryPath(simulatorLibrary);
    const existing = bound.get(path);
    if (existing) return existing;
    let library;
    try {
        library = koffi.load(path);
    } catch (err) {
        throw new Error(`Cannot load ${path} for Hyper-V sockets: ${(err as Error).message}`, { cause: err });
    }
    const types = registerWinsockTypes();
    const prefix = simulated ? SIMULATOR_EXPORT_PREFIX : "";
    const functions: Record<string, unknown> = {};
    for (const prototype of WINSOCK_PROTOTYPES) {
        const name = winsockFunctionName(prototype);
        try {
            functions[name] = library.func(toKoffiWinsockPrototype(prototype, prefix));
        } catch (err) {
            throw new Error(`Cannot declare ${prefix}${name} from ${path}: ${(err as Error).message}` +
                (simulated ? " (a simulator library older than Hyper-V sockets: rebuild it with `npm run build -w provider`)" : ""), { cause: err });
        }
    }
    const winsock: Winsock = { ...(functions as unknown as WinsockFunctions), libraryPath: path, simulated, types };
    // WSADATA is 408 bytes on Win64; the buffer only has to hold it.
    const started = winsock.WSAStartup(WINSOCK_VERSION, Buffer.alloc(512));
    if (started !== 0) throw new Error(`Cannot use Hyper-V sockets: WSAStartup failed with ${started}`);
    bound.set(path, winsock);
    return winsock;
}
