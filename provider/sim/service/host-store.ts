/**
 * The simulated host's persistent state: a snapshot, `<root>/state.json`, written atomically
 * (temporary file, then rename), and a journal, `<root>/state.journal`, of the changes since, one
 * JSON line each, appended before any reply that reports a change (ComputeService.flush). So a
 * restarted service sees the same host, and a change costs one append, where rewriting the whole
 * host made each reply's write grow with the host (and ext4 forces a rename over an existing file
 * out to disk: the simulator's main cost in a 100-VM `up`; bench --profile). The journal is folded
 * into a new snapshot once it outgrows the host. Handles are never persisted.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { inodeKey } from "./file-identity";
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

/** The changes since state.json, one JSON line each (JournalEntry), replayed in order after it. */
export const JOURNAL_FILE = "state.journal";

/**
 * One change: a system as it is now (added or changed), a system removed (its lower-cased ID), a
 * file's grants as they are now, or a file's grants gone (its inodeKey). Replaying a journal over
 * the snapshot it was started on gives the host as it was when the line was written.
 */
export type JournalEntry =
    | { readonly system: PersistedSystem }
    | { readonly removed: string }
    | { readonly grant: GrantRecord }
    | { readonly ungrant: string };

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
    let snapshot: PersistedHost = { version: 1, systems: [], grants: [] };
    if (fs.existsSync(file)) {
        const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as PersistedHost;
        if (parsed.version !== 1) throw new Error(`Cannot read ${file}: state version ${String(parsed.version)} is not 1`);
        snapshot = { version: 1, systems: parsed.systems ?? [], grants: parsed.grants ?? [] };
    }
    return replayJournal(snapshot, readJournal(root));
}

/** The journal's entries in order; a last line cut short (a host that died mid-append) is dropped. */
export function readJournal(root: string): JournalEntry[] {
    let text: string;
    try {
        text = fs.readFileSync(path.join(root, JOURNAL_FILE), "utf8");
    } catch {
        return [];
    }
    const lines = text.split("\n").filter((line) => line !== "");
    const entries: JournalEntry[] = [];
    for (const [index, line] of lines.entries()) {
        try {
            entries.push(JSON.parse(line) as JournalEntry);
        } catch (err) {
            if (index === lines.length - 1 && !text.endsWith("\n")) break;
            throw new Error(`Cannot read ${path.join(root, JOURNAL_FILE)}: line ${index + 1} is not JSON (${(err as Error).message})`);
        }
    }
    return entries;
}

/** The host after `entries`, applied in order to `snapshot`. */
export function replayJournal(snapshot: PersistedHost, entries: readonly JournalEntry[]): PersistedHost {
    const systems = new Map(snapshot.systems.map((system) => [system.id.toLowerCase(), system]));
    const grants = new Map(snapshot.grants.map((grant) => [inodeKey(grant), grant]));
    for (const entry of entries) {
        if ("system" in entry) systems.set(entry.system.id.toLowerCase(), entry.system);
        else if ("removed" in entry) systems.delete(entry.removed);
        else if ("grant" in entry) grants.set(inodeKey(entry.grant), entry.grant);
        else if ("ungrant" in entry) grants.delete(entry.ungrant);
    }
    return { version: 1, systems: [...systems.values()], grants: [...grants.values()] };
}

/** Appends lines (each an already serialized JournalEntry) to the journal, in one write. */
export function appendJournal(root: string, lines: readonly string[]): void {
    fs.appendFileSync(path.join(root, JOURNAL_FILE), `${lines.join("\n")}\n`, { mode: 0o600 });
}

/** Writes `data` to `file` atomically: readers see the old or the new content, never a mix. */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, file);
}

/**
 * `saveHost` with each system already serialized (`JSON.stringify` of its PersistedSystem): the
 * same bytes, without serializing again the systems that did not change.
 */
export function saveHostJson(root: string, systemsJson: readonly string[], grants: readonly GrantRecord[]): void {
    writeFileAtomic(path.join(root, STATE_FILE), `{"version":1,"systems":[${systemsJson.join(",")}],"grants":${JSON.stringify(grants)}}`);
    // The snapshot holds every change the journal did; replaying it again would do no harm (each
    // line is a whole record), but it would grow without end.
    fs.rmSync(path.join(root, JOURNAL_FILE), { force: true });
}
