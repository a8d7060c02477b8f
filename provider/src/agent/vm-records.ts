import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { UtilityVmState } from "../uvm/state";

/**
 * What the agent keeps on disk about a VM it creates, so a restarted agent knows which VMs were its
 * own and which creates it was in the middle of (`creating`: the create was interrupted by the
 * agent's end, and must be undone).
 */
export interface VmRecord {
    readonly id: string;
    readonly phase: "creating" | "created";
    /** The create's request ID and a digest of its spec (idempotency: same ID and spec, same VM). */
    readonly requestId: string;
    readonly specDigest: string;
    readonly resource?: string | undefined;
    readonly createdAt: string;
    /** The scratch disk path, known before the create starts (delete and recovery need it). */
    readonly scratchPath: string;
    /** The lifecycle's state, once created. */
    readonly state?: UtilityVmState | undefined;
    /** Whether the agent took the VM's guest connection (it dies with the agent: lifecycle.md). */
    readonly guestHeld?: boolean;
}

/**
 * One JSON file per VM under `<stateDir>/vms`, written whole (temporary file, then rename), so a
 * kill -9 at any moment leaves each record either as it was or as it became.
 */
export class VmRecords {
    private readonly folder: string;
    private readonly records = new Map<string, VmRecord>();

    constructor(stateDir: string) {
        this.folder = path.join(stateDir, "vms");
        fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 });
        for (const name of fs.readdirSync(this.folder)) {
            const file = path.join(this.folder, name);
            if (name.endsWith(".tmp")) {
                fs.rmSync(file, { force: true });
                continue;
            }
            if (!name.endsWith(".json")) continue;
            try {
                const record = JSON.parse(fs.readFileSync(file, "utf8")) as VmRecord;
                if (typeof record.id === "string") this.records.set(key(record.id), record);
            } catch {
                // A record is written whole, so an unreadable one was not written by the agent: keep it for an operator.
                fs.renameSync(file, `${file}.unreadable`);
            }
        }
    }

    all(): VmRecord[] {
        return [...this.records.values()];
    }

    get(id: string): VmRecord | undefined {
        return this.records.get(key(id));
    }

    byRequestId(requestId: string): VmRecord | undefined {
        for (const record of this.records.values()) if (record.requestId === requestId) return record;
        return undefined;
    }

    put(record: VmRecord): void {
        const file = this.fileOf(record.id);
        const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
        fs.writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
        fs.renameSync(temporary, file);
        this.records.set(key(record.id), record);
    }

    remove(id: string): void {
        fs.rmSync(this.fileOf(id), { force: true });
        this.records.delete(key(id));
    }

    private fileOf(id: string): string {
        // Compute-system IDs are GUIDs or names checked by the model (no separators); encode anyway.
        return path.join(this.folder, `${encodeURIComponent(key(id))}.json`);
    }
}

/** HCS compares compute-system IDs case-insensitively. */
function key(id: string): string {
    return id.toLowerCase();
}
