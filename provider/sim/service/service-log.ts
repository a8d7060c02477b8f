/**
 * `<root>/sim.log`: where a service started in the background (`pulumi-hcs sim --detach`, or by
 * launch.ts) writes its output. Only its owner may read it: it names paths, pids and ports, and a
 * log is the kind of file that gets pasted and shared, so the TCP secret is never written to it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const LOG_FILE = "sim.log";

/** The log opened for appending by a child service, and where this start's lines begin. */
export interface ServiceLog {
    readonly path: string;
    /** Close it once the child has it. */
    readonly fd: number;
    /** Its size before this start: what lies before is an earlier run's. */
    readonly start: number;
}

/** Opens (or creates) the root's log, mode 0600; a log an older version made readable to all is narrowed. */
export function openServiceLog(root: string): ServiceLog {
    const file = path.join(root, LOG_FILE);
    const fd = fs.openSync(file, "a", 0o600);
    fs.fchmodSync(fd, 0o600);
    return { path: file, fd, start: fs.fstatSync(fd).size };
}

/** The last `max` lines this start wrote, for an error message; empty when it wrote none. */
export function linesSinceStart(log: ServiceLog, max = 15): string {
    let written: Buffer;
    try {
        written = fs.readFileSync(log.path).subarray(log.start);
    } catch {
        return "";
    }
    return written.toString("utf8").trimEnd().split("\n").slice(-max).join("\n");
}
