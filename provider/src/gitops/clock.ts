/** Time as the reconcile loop sees it: the real one, or a fake one in tests. */
export interface Clock {
    now(): Date;
    /** Waits `ms`, or less when `signal` aborts (it then resolves, never rejects). */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
    now: () => new Date(),
    sleep: (ms, signal) => new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
        function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        }
    }),
};
