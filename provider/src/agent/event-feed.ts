import type { WireEventKind, WireVmEvent } from "./api";

type Listener = (event: WireVmEvent) => void;

/** VM events, fanned out to every WatchVms stream open now (none are kept for later watchers). */
export class EventFeed {
    private readonly listeners = new Set<Listener>();

    emit(kind: WireEventKind, vm: { readonly id: string; readonly runtimeId?: string | undefined }, detail: { readonly hresult?: number; readonly message?: string } = {}): void {
        const event: WireVmEvent = {
            kind,
            id: vm.id,
            runtime_id: vm.runtimeId ?? "",
            time: new Date().toISOString(),
            // The wire field is int32: HRESULTs are failures with the top bit set.
            hresult: (detail.hresult ?? 0) | 0,
            message: detail.message ?? "",
        };
        for (const listener of this.listeners) listener(event);
    }

    /** Calls `listener` with every event until the returned function is called. */
    subscribe(listener: Listener): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
}
