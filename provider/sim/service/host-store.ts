/**
 * The simulated host's persistent state, `<root>/state.json`, written atomically (temporary file,
 * then rename) before any reply that reports a change (ComputeService.flush), so separate processes
 * and a restarted service see the same host. Handles are never persisted.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { GrantRecord } from "./grants";

export type SystemState = "Created" | "Running" | "Paused" | "Stopped";
export type ExitType = "GracefulExit" | "ForcedExit" | "UnexpectedExit";

export interface PersistedSystem {
    id: string;
    runtimeId: string;
    owner: string;
    state: SystemState;
    exitType?: ExitType;
    exitStatus?: number;
    terminateOnLastHandleClosed: boolean;
    /** The current configuration: the create document with every applied modify folded in. */
    document: Record<string, unknown>;
    createdAt: string;
    startedAt?: string;
    stoppedAt?: string;
}

export interface PersistedHost {
    version: 1;
    systems: PersistedSystem[];
    grants: GrantRecord[];
}

export const STATE_FILE = "state.json";

/** `<root>/host-id`: the simulated host's identity, a random GUID made the first time a service runs on the root. */
export const HOST_ID_FILE = "host-id";

/**
 * The simulated host's identity: the same for as long as its root exists, whatever socket, TCP port
 * or restart a client reaches it through (the provider tells hosts apart by it, not by address).
 * Made on first use and published with a hard link, which fails when the file exists, so two
 * services racing on a fresh root agree on one ID and no reader ever sees a half-written file.
 * @throws Error when the root cannot be written, or its host-id file is not a GUID.
 */
export function loadOrCreateHostId(root: string): string {
    const file = path.join(root, HOST_ID_FILE);
    if (!fs.existsSync(file)) {
        const tmp = `${file}.tmp-${process.pid}`;
        fs.writeFileSync(tmp, `${randomUUID()}\n`, { mode: 0o644 });
        try {
            fs.linkSync(tmp, file);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        } finally {
            fs.rmSync(tmp, { force: true });
        }
    }
    const id = fs.readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
        throw new Error(`Cannot read the simulated host's ID from ${file}: expected a lowercase GUID, got ${JSON.stringify(id.slice(0, 80))}`);
    }
    return id;
}

export function loadHost(root: string): PersistedHost {
    const file = path.join(root, STATE_FILE);
    if (!fs.existsSync(file)) return { version: 1, systems: [], grants: [] };
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as PersistedHost;
    if (parsed.version !== 1) throw new Error(`Cannot read ${file}: state version ${String(parsed.version)} is not 1`);
    return { version: 1, systems: parsed.systems ?? [], grants: parsed.grants ?? [] };
}

/** Writes `data` to `file` atomically: readers see the old or the new content, never a mix. */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, file);
}

export function saveHost(root: string, host: PersistedHost): void {
    writeFileAtomic(path.join(root, STATE_FILE), JSON.stringify(host));
}

/**
 * `saveHost` with each system already serialized (`JSON.stringify` of its PersistedSystem): the
 * same bytes, without serializing again the systems that did not change.
 */
export function saveHostJson(root: string, systemsJson: readonly string[], grants: readonly GrantRecord[]): void {
    writeFileAtomic(path.join(root, STATE_FILE), `{"version":1,"systems":[${systemsJson.join(",")}],"grants":${JSON.stringify(grants)}}`);
}
