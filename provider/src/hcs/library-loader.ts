import koffi, { type LibraryHandle } from "koffi";
import { isWindows } from "../platform";

/**
 * Where computecore comes from on each operating system. On Windows the binding
 * loads the real `computecore.dll` from System32 and frees result strings with kernel32's
 * `LocalFree`; elsewhere it loads the HCS simulator's native library, which exports the same
 * functions and its own `LocalFree`.
 */
export const COMPUTECORE_ENV = "PULUMI_HCS_COMPUTECORE";

export interface LoadedLibraries {
    /** The library exporting the Hcs* functions, and the path it was loaded from. */
    readonly computecore: LibraryHandle;
    readonly computecorePath: string;
    /** The library exporting `LocalFree`: kernel32 on Windows, the simulator library elsewhere. */
    readonly localFreeLibrary: LibraryHandle;
    readonly isWindows: boolean;
}

/**
 * Which computecore to load: `PULUMI_HCS_COMPUTECORE` when set, else the library the caller names
 * (a simulated host names the simulator's library), else `computecore.dll` on Windows.
 *
 * The named library comes before Windows' own: a simulated host on Windows needs the simulator's
 * `computecore.dll` (its mingw build, which reaches the service over TCP). Preferring System32's
 * there made every `sim:` host fail on Windows: "Module not found" where HCS is absent (Wine), or
 * "not the simulator's library" on a Hyper-V host (issue 6).
 * @throws Error when no library applies (not Windows, nothing named).
 */
export function computeCorePath(preferred: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const override = env[COMPUTECORE_ENV]?.trim();
    if (override) return override;
    if (preferred) return preferred;
    if (isWindows) return "computecore.dll";
    throw new Error(
        `Cannot load computecore: this is ${process.platform}, where HCS does not exist. ` +
        `Target a simulated host (host: "sim:<socket>") or set ${COMPUTECORE_ENV} to a library exporting the computecore API`,
    );
}

/** Loads computecore (and kernel32 on Windows), naming the path in the error koffi leaves it out of. */
export function loadLibraries(path: string): LoadedLibraries {
    const computecore = loadOrExplain(path, isWindows
        ? "computecore.dll ships with Windows 10 1809 / Server 2019 and later when the Containers or Hyper-V feature is enabled"
        : "the simulator's library is built by `node sim/native/build.js` in the pulumi-hcs-provider package (needs a C " +
            "compiler; `npm run build -w provider` in a clone); a packed pulumi-hcs-provider carries it for the machine that packed it");
    const localFreeLibrary = isWindows ? loadOrExplain("kernel32.dll", "kernel32.dll is part of Windows") : computecore;
    return { computecore, computecorePath: path, localFreeLibrary, isWindows };
}

function loadOrExplain(path: string, hint: string): LibraryHandle {
    try {
        return koffi.load(path);
    } catch (err) {
        throw new Error(`Cannot load ${path}: ${(err as Error).message} (${hint})`, { cause: err });
    }
}
