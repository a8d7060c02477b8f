/** One operation at a time per key (a VM's ID, case-insensitively); different keys run in parallel. */
export class KeyedLock {
    private readonly tails = new Map<string, Promise<void>>();

    async run<T>(key: string, action: () => Promise<T>): Promise<T> {
        const name = key.toLowerCase();
        const previous = this.tails.get(name) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((resolve) => (release = resolve));
        const tail = previous.then(() => mine);
        this.tails.set(name, tail);
        await previous;
        try {
            return await action();
        } finally {
            release();
            if (this.tails.get(name) === tail) this.tails.delete(name);
        }
    }
}
