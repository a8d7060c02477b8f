import { type ComputeSystem, isNotFound } from "../hcs";

/**
 * How often a VM waiting for its guest is asked whether it still runs. hcsshim learns of an exit from
 * HCS's notification; this binding registers no event callback, so it asks: a VM that dies while its
 * guest would be dialing is noticed within this time instead of at the end of the 2-minute wait.
 */
export const EXIT_POLL_MS = 500;

/**
 * Rejects once `system` has stopped (or no longer exists), with the exit HCS reports; stays pending
 * while it runs, until `signal` aborts. Failed queries are ignored: the wait's own deadline bounds it.
 */
export function whenExited(system: ComputeSystem, signal: AbortSignal, pollMs = EXIT_POLL_MS): Promise<never> {
    return new Promise<never>((_, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const stop = () => clearTimeout(timer);
        signal.addEventListener("abort", stop, { once: true });
        const check = async () => {
            if (signal.aborted) return;
            try {
                const properties = await system.properties([], { timeoutMs: Math.max(1000, pollMs) });
                if (properties.State === "Stopped") {
                    signal.removeEventListener("abort", stop);
                    reject(new Error(`the utility VM exited${properties.ExitType ? ` (ExitType ${properties.ExitType})` : ""}`));
                    return;
                }
            } catch (err) {
                if (isNotFound(err)) {
                    signal.removeEventListener("abort", stop);
                    reject(new Error("the utility VM exited (it no longer exists)", { cause: err }));
                    return;
                }
            }
            if (!signal.aborted) timer = setTimeout(() => void check(), pollMs);
        };
        timer = setTimeout(() => void check(), pollMs);
    });
}
