import * as fs from "node:fs";
import * as path from "node:path";
import { cpuListFor } from "./cpu-affinity";
import { hcsshimOptions, type ParityCase } from "./parity-case";
import type { ParitySettings } from "./parity-settings";
import { runProcess } from "./run-process";

/** What hcsshim's CreateWCOW did with one case (test/parity/harness/main.go). */
export interface HcsshimAnswer {
    /** `document`: it called HcsCreateComputeSystem; `refused`: it failed before. */
    readonly outcome: "document" | "refused";
    /** The configuration passed to HcsCreateComputeSystem, exactly. */
    readonly document?: string;
    /** CreateWCOW's error (after a document: the Hyper-V socket listener Wine cannot open). */
    readonly error?: string;
    /** The operating system's text at the end of `error` (Wine's wording). */
    readonly osError?: string;
    readonly grants: readonly { readonly vmid: string; readonly path: string }[];
    /** What the case's folders held afterwards (folders end in `\`). */
    readonly files: readonly string[];
}

interface HarnessResults {
    readonly numCPU: number;
    readonly build: number;
    readonly cases: readonly (HcsshimAnswer & { readonly name: string })[];
}

/**
 * Runs hcsshim's CreateWCOW over the cases under Wine: one harness process per Windows build and
 * creator affinity (Wine reads the build from the registry when a process starts, and Go reads the
 * affinity once), each over all its cases. Processes run one after another: the build is a setting
 * of the whole prefix.
 * @throws {Error} when the harness fails, or a process did not get the build or affinity it was given.
 */
export async function askHcsshim(cases: readonly ParityCase[], settings: ParitySettings): Promise<Map<string, HcsshimAnswer>> {
    const dir = path.join(settings.work, "hcsshim");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, WINEPREFIX: settings.prefix, WINEDEBUG: "-all", WINEARCH: "win64" };
    delete env.NODE_OPTIONS;
    const answers = new Map<string, HcsshimAnswer>();
    for (const [key, group] of groupBy(cases, (c) => `${c.host.build}-${c.host.creatorProcessors}`)) {
        const { build, creatorProcessors } = group[0]!.host;
        const casesFile = path.join(dir, `${key}.cases.json`);
        const resultsFile = path.join(dir, `${key}.results.json`);
        fs.writeFileSync(casesFile, JSON.stringify({ cases: group.map(harnessCase) }));
        const regFile = path.join(dir, `${key}.reg`);
        fs.writeFileSync(regFile, buildRegistry(build));
        await runProcess(settings.wine, ["regedit", "/S", windowsPath(regFile)], path.join(dir, `${key}.regedit`), env);
        await runProcess(
            "taskset",
            ["-c", cpuListFor(creatorProcessors), settings.wine, settings.harness, windowsPath(casesFile), windowsPath(resultsFile)],
            path.join(dir, `${key}.harness`),
            env,
        );
        const results = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as HarnessResults;
        if (results.build !== build || results.numCPU !== creatorProcessors) {
            throw new Error(
                `hcsshim's harness ran with build ${results.build} and runtime.NumCPU() ${results.numCPU}, ` +
                    `not the ${build} and ${creatorProcessors} its cases need (is HKCU\\Software\\Wine\\Version set in ${settings.prefix}?)`,
            );
        }
        for (const { name, ...answer } of results.cases) answers.set(name, answer);
    }
    return answers;
}

function harnessCase(c: ParityCase): unknown {
    const { id, owner, options } = hcsshimOptions(c);
    return { name: c.name, id, owner, logicalProcessors: c.host.logicalProcessors, files: c.files, options };
}

/**
 * The registry values Wine takes the Windows build from once HKCU\Software\Wine\Version is unset
 * (scripts/test-parity.sh prepares the prefix so): RtlGetVersion, and so hcsshim's osversion.Build(),
 * then reports this build.
 */
function buildRegistry(build: number): string {
    return [
        "REGEDIT4",
        "",
        "[HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion]",
        `"CurrentBuildNumber"="${build}"`,
        `"CurrentBuild"="${build}"`,
        "",
    ].join("\r\n");
}

/** A Linux path as Wine's processes see it: drive Z: is `/`. */
export function windowsPath(linuxPath: string): string {
    return `Z:${path.resolve(linuxPath).replace(/\//g, "\\")}`;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
    }
    return groups;
}
