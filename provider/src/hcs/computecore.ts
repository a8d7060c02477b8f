import type { KoffiFunc } from "koffi";
import { registerAbiTypes, toKoffiPrototype, type AbiTypes } from "./abi-types";
import { computeCorePath, loadLibraries } from "./library-loader";
import { formatHresult } from "./hresult";
import { COMPUTECORE_PROTOTYPES, LOCALFREE_PROTOTYPE, prototypeName } from "./prototypes";

/** An opaque HCS handle (HCS_OPERATION, HCS_SYSTEM): koffi 3 hands pointers to JS as BigInt. */
export type Handle = bigint;
/** A one-element array koffi fills for an `_Out_` parameter. */
export type Out<T> = [T | null];

/** The typed computecore functions; each has `.async` to run on the libuv thread pool. */
export interface ComputeCoreFunctions {
    HcsEnumerateComputeSystems: KoffiFunc<(query: string | null, operation: Handle) => number>;
    HcsCreateOperation: KoffiFunc<(context: Handle | null, callback: Handle | null) => Handle | null>;
    HcsCloseOperation: KoffiFunc<(operation: Handle) => void>;
    HcsWaitForOperationResult: KoffiFunc<(operation: Handle, timeoutMs: number, resultDocument: Out<string>) => number>;
    HcsCreateComputeSystem: KoffiFunc<(id: string, configuration: string, operation: Handle, securityDescriptor: null, computeSystem: Out<Handle>) => number>;
    HcsOpenComputeSystem: KoffiFunc<(id: string, requestedAccess: number, computeSystem: Out<Handle>) => number>;
    HcsCloseComputeSystem: KoffiFunc<(computeSystem: Handle) => void>;
    HcsStartComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, options: string | null) => number>;
    HcsShutDownComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, options: string | null) => number>;
    HcsTerminateComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, options: string | null) => number>;
    HcsPauseComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, options: string | null) => number>;
    HcsResumeComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, options: string | null) => number>;
    HcsGetComputeSystemProperties: KoffiFunc<(computeSystem: Handle, operation: Handle, propertyQuery: string | null) => number>;
    HcsModifyComputeSystem: KoffiFunc<(computeSystem: Handle, operation: Handle, configuration: string, identity: null) => number>;
    HcsSetComputeSystemCallback: KoffiFunc<(computeSystem: Handle, callbackOptions: number, context: Handle | null, callback: Handle | null) => number>;
    HcsGetServiceProperties: KoffiFunc<(propertyQuery: string | null, result: Out<string>) => number>;
    HcsGrantVmAccess: KoffiFunc<(vmId: string, filePath: string) => number>;
    HcsRevokeVmAccess: KoffiFunc<(vmId: string, filePath: string) => number>;
    HcsGrantVmGroupAccess: KoffiFunc<(filePath: string) => number>;
    HcsRevokeVmGroupAccess: KoffiFunc<(filePath: string) => number>;
}

// Compile-time proof that the typed interface and the prototype list name the same functions.
type DeclaredName<P> = P extends `${string} WINAPI ${infer Name}(${string}` ? Name : never;
type Declared = DeclaredName<(typeof COMPUTECORE_PROTOTYPES)[number]>;
type Missing = Exclude<Declared, keyof ComputeCoreFunctions> | Exclude<keyof ComputeCoreFunctions, Declared>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

/** computecore bound into this process: the functions, the types, and where they came from. */
export interface ComputeCore extends ComputeCoreFunctions {
    readonly libraryPath: string;
    readonly types: AbiTypes;
    /** Frees a callee-allocated string (kernel32 LocalFree, or the simulator's). */
    readonly LocalFree: KoffiFunc<(memory: Handle) => Handle | null>;
    /** Simulator-only extensions, absent from the real computecore.dll (see docs/simulator.md). */
    readonly simulator?: SimulatorExtensions;
}

/** What the simulator's library exports besides the computecore API. */
export interface SimulatorExtensions {
    /** `HcsSimGetLibraryStats`: live strings, operations and handles, so tests can prove nothing leaks. */
    stats(): Record<string, unknown>;
    /**
     * `HcsSimSetServiceAddress`: the service to talk to from the next connection on (instead of the
     * PULUMI_HCS_SIM environment variable, which hosts such as jest do not pass to native code).
     */
    setServiceAddress(address: string, secret: string | undefined): void;
}

let bound: ComputeCore | undefined;

/**
 * Loads computecore and declares every function once per process (koffi type names are global, and
 * a missing export should fail here, before any work starts, not halfway through a create).
 * @param preferredLibrary the library to load instead of Windows' computecore.dll (the simulator's,
 *   for a simulated host); `PULUMI_HCS_COMPUTECORE` overrides both.
 * @throws Error when the library cannot be loaded, lacks an export, or a different library is
 *   already bound in this process.
 */
export function bindComputeCore(preferredLibrary?: string): ComputeCore {
    const path = computeCorePath(preferredLibrary);
    if (bound) {
        if (bound.libraryPath !== path) {
            throw new Error(`Cannot bind computecore from ${path}: this process already uses ${bound.libraryPath}`);
        }
        return bound;
    }
    const libraries = loadLibraries(path);
    const LocalFree = libraries.localFreeLibrary.func(toKoffiPrototype(LOCALFREE_PROTOTYPE.replace(/\bHLOCAL\b/g, "void *"))) as ComputeCore["LocalFree"];
    const types = registerAbiTypes((pointer) => LocalFree(pointer as Handle));
    const functions: Record<string, unknown> = {};
    for (const prototype of COMPUTECORE_PROTOTYPES) {
        const name = prototypeName(prototype);
        try {
            functions[name] = libraries.computecore.func(toKoffiPrototype(prototype));
        } catch (err) {
            throw new Error(`Cannot declare ${name} from ${path}: ${(err as Error).message}`, { cause: err });
        }
    }
    bound = {
        ...(functions as unknown as ComputeCoreFunctions),
        libraryPath: path,
        types,
        LocalFree,
        ...simulatorExtensionsOf(libraries.computecore),
    };
    return bound;
}

function simulatorExtensionsOf(library: ReturnType<typeof loadLibraries>["computecore"]): Pick<ComputeCore, "simulator"> {
    let stats: KoffiFunc<(result: Out<string>) => number>;
    let setAddress: KoffiFunc<(address: string | null, secret: string | null) => number>;
    try {
        stats = library.func("HRESULT __stdcall HcsSimGetLibraryStats(_Out_ PWSTR *result)");
        setAddress = library.func("HRESULT __stdcall HcsSimSetServiceAddress(PCWSTR address, PCWSTR secret)");
    } catch {
        return {}; // the real computecore.dll
    }
    return {
        simulator: {
            stats: () => {
                const out: Out<string> = [null];
                const hr = stats(out);
                if (hr < 0 || out[0] === null) throw new Error(`HcsSimGetLibraryStats failed with ${formatHresult(hr)}`);
                return JSON.parse(out[0]) as Record<string, unknown>;
            },
            setServiceAddress: (address, secret) => {
                const hr = setAddress(address, secret ?? null);
                if (hr < 0) throw new Error(`HcsSimSetServiceAddress('${address}') failed with ${formatHresult(hr)}`);
            },
        },
    };
}
