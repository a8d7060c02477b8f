/**
 * The simulated host's state on disk: a snapshot (state.json) and a journal of the changes since
 * (state.journal). What a service starting on the root reads must be the host as the last
 * acknowledged change left it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendJournal, JOURNAL_FILE, loadHost, type PersistedSystem, readJournal, saveHostJson } from "../../provider/sim/service/host-store";
import type { GrantRecord } from "../../provider/sim/service/grants";

let root: string;
beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "host-store-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const system = (id: string, state: PersistedSystem["state"]): PersistedSystem => ({
    id, runtimeId: `${id}-rt`, owner: "o", state, terminateOnLastHandleClosed: false, document: {}, createdAt: "2026-12-02T00:00:00Z",
});
const grant = (ino: number, vmIds: string[]): GrantRecord => ({ windows: `C:\\f${ino}`, local: `fs/c/f${ino}`, ino, dev: 1, vmIds, group: false });
const line = (entry: object) => JSON.stringify(entry);

describe("host store", () => {
    it("replays the journal over the snapshot, in order: changes, removals, grants", () => {
        saveHostJson(root, [JSON.stringify(system("A", "Created")), JSON.stringify(system("B", "Running"))], [grant(7, ["a"])]);
        appendJournal(root, [line({ system: system("A", "Running") }), line({ removed: "b" })]);
        appendJournal(root, [line({ system: system("C", "Created") }), line({ grant: grant(8, ["c"]) }), line({ ungrant: "1:7" })]);
        const host = loadHost(root);
        expect(host.systems.map((s) => [s.id, s.state])).toEqual([["A", "Running"], ["C", "Created"]]);
        expect(host.grants.map((g) => [g.ino, g.vmIds])).toEqual([[8, ["c"]]]);
    });

    it("a snapshot folds the journal in and empties it", () => {
        appendJournal(root, [line({ system: system("A", "Running") })]);
        saveHostJson(root, [JSON.stringify(system("A", "Stopped"))], []);
        expect(fs.existsSync(path.join(root, JOURNAL_FILE))).toBe(false);
        expect(loadHost(root).systems.map((s) => s.state)).toEqual(["Stopped"]);
    });

    it("drops a last line cut short by a host that died mid-append, and refuses a damaged line before it", () => {
        appendJournal(root, [line({ system: system("A", "Running") })]);
        fs.appendFileSync(path.join(root, JOURNAL_FILE), '{"system":{"id":"B"');
        expect(readJournal(root)).toHaveLength(1);
        expect(loadHost(root).systems.map((s) => s.id)).toEqual(["A"]);
        fs.appendFileSync(path.join(root, JOURNAL_FILE), "\n");
        expect(() => readJournal(root)).toThrow(/line 2 is not JSON/);
    });
});
