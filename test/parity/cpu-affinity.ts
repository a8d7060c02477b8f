import * as fs from "node:fs";

/**
 * The CPUs this process may run on (Linux: `Cpus_allowed_list` in /proc/self/status), so a child can
 * be given the first `n` of them with taskset: hcsshim's default processor count follows the
 * creating process's affinity, so both sides of a comparison run with the same one.
 */
export function allowedCpus(): number[] {
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
    if (list === undefined) throw new Error("cannot read Cpus_allowed_list from /proc/self/status");
    return list.split(",").flatMap((part) => {
        const [from, to] = part.split("-").map(Number) as [number, number | undefined];
        return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
    });
}

/** The taskset CPU list that gives a child `count` CPUs. @throws {RangeError} when this process has fewer. */
export function cpuListFor(count: number, allowed: readonly number[] = allowedCpus()): string {
    if (count < 1 || count > allowed.length) {
        throw new RangeError(`cannot give a process ${count} CPUs: this one may use ${allowed.length} (${allowed.join(",")})`);
    }
    return allowed.slice(0, count).join(",");
}
