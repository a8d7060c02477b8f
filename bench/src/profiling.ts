/**
 * CPU profiles of the processes a `pulumi` command starts, for `npm run bench -- --profile`.
 *
 * The dynamic-provider process is profiled alone: a wrapper of the `pulumi-resource-pulumi-nodejs`
 * plugin, put first on PATH (the engine looks for bundled plugins on PATH before next to `pulumi`),
 * sets NODE_OPTIONS=--cpu-prof for that one process and then runs the real plugin script. The engine
 * stops plugins with a signal, on which Node writes no profile, so a preload turns the signal into an
 * ordinary exit. The language host's program process and the simulator service can be profiled too
 * (NODE_OPTIONS in their own environment).
 */
import fs from "node:fs";
import path from "node:path";
import { BENCH_WORK, PULUMI_BIN, ROOT } from "./paths";

/** The environment variable the wrapper reads the profile folder from (set per command). */
export const PROFILE_DIR_ENV = "PULUMI_HCS_BENCH_PROFILE_DIR";

/** Writes the plugin wrapper and returns the folder to put first on PATH. */
export function writeProviderProfilingWrapper(): string {
    const dir = path.join(BENCH_WORK, "provider-profiling");
    fs.mkdirSync(dir, { recursive: true });
    const preload = path.join(dir, "exit-on-signal.js");
    fs.writeFileSync(preload, `${exitOnSignalSource()}\n`);
    const real = path.join(PULUMI_BIN, "pulumi-resource-pulumi-nodejs");
    const script = path.join(dir, "pulumi-resource-pulumi-nodejs");
    fs.writeFileSync(script, [
        "#!/bin/sh",
        "# Written by bench/src/profiling.ts: profiles this dynamic-provider process only.",
        `if [ -n "$${PROFILE_DIR_ENV}" ]; then`,
        `  export NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$${PROFILE_DIR_ENV} --require ${preload}"`,
        "fi",
        `exec "${real}" "$@"`,
        "",
    ].join("\n"), { mode: 0o755 });
    return dir;
}

/** NODE_OPTIONS that profile a Node process into `dir` (also when it is stopped by a signal). */
export function profilingNodeOptions(dir: string): string {
    const preload = path.join(BENCH_WORK, "provider-profiling", "exit-on-signal.js");
    return `--cpu-prof --cpu-prof-dir=${dir} --require ${preload}`;
}

function exitOnSignalSource(): string {
    return "// Node writes --cpu-prof output on exit, but not when a signal kills it.\n" +
        'for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => process.exit(0));';
}

interface ProfileNode {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
}

interface CpuProfile {
    readonly nodes: readonly ProfileNode[];
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
    readonly startTime: number;
    readonly endTime: number;
}

export interface ProfileSummary {
    readonly file: string;
    /** What the process ran: the program, the dynamic provider, the simulator, or a helper. */
    readonly role: string;
    readonly wallMs: number;
    /** Time not idle, in ms. */
    readonly busyMs: number;
    /** Self time by function, largest first. */
    readonly topSelf: { readonly name: string; readonly ms: number }[];
    /** Time spent in each package (or repository folder), callees included, largest first. */
    readonly byPackage: { readonly name: string; readonly ms: number }[];
}

/** Reads a `.cpuprofile` and summarizes where its time went. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const sampled = new Map<number, number>();
    profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

    const self = new Map<string, number>();
    const byPackage = new Map<string, number>();
    let idle = 0;
    let role = "other";
    for (const n of profile.nodes) {
        if (n.callFrame.url.includes("cmd/dynamic-provider")) role = "dynamic provider";
        else if (n.callFrame.url.includes("cmd/run/") && role === "other") role = "program";
        else if (n.callFrame.url.includes("sim/service/run-service") && role === "other") role = "simulator";
    }
    for (const [id, us] of sampled) {
        const frame = nodes.get(id)!.callFrame;
        if (frame.functionName === "(idle)") idle += us;
        const key = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + us);
        const seen = new Set<string>();
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
            const group = packageOf(nodes.get(at)!.callFrame);
            if (group === undefined || seen.has(group)) continue;
            seen.add(group);
            byPackage.set(group, (byPackage.get(group) ?? 0) + us);
        }
    }
    const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));
    const wallMs = (profile.endTime - profile.startTime) / 1000;
    return { file, role, wallMs: Math.round(wallMs), busyMs: Math.round(wallMs - idle / 1000), topSelf: ranked(self), byPackage: ranked(byPackage) };
}

function shortUrl(url: string): string {
    const file = url.replace(/^file:\/\//, "");
    const modules = file.lastIndexOf("node_modules/");
    if (modules >= 0) return file.slice(modules + "node_modules/".length);
    return file.startsWith(ROOT + path.sep) ? file.slice(ROOT.length + 1) : file;
}

/**
 * The package a frame belongs to (`@pulumi/pulumi`, `koffi`), or the repository folder
 * (`provider/dist/src/hcs`, `sdk/dist`); V8's pseudo-frames (`(garbage collector)`) as themselves;
 * undefined for Node's own code, which is charged to whoever called it.
 */
function packageOf(frame: ProfileNode["callFrame"]): string | undefined {
    if (frame.url === "") return frame.functionName.startsWith("(") ? frame.functionName : undefined;
    if (frame.url.startsWith("node:")) return undefined;
    const file = frame.url.replace(/^file:\/\//, "");
    const modules = file.lastIndexOf("node_modules/");
    if (modules >= 0) {
        const [scope = "", name = ""] = file.slice(modules + "node_modules/".length).split("/");
        return scope.startsWith("@") ? `${scope}/${name}` : scope;
    }
    if (!file.startsWith(ROOT + path.sep)) return file;
    const parts = file.slice(ROOT.length + 1).split("/");
    return parts.slice(0, parts[0] === "provider" ? 4 : 2).join("/");
}

/** The profile summaries as Markdown, one section per profile. */
export function profileSummariesMarkdown(title: string, summaries: readonly ProfileSummary[]): string {
    const lines = [`## ${title}`, ""];
    for (const s of summaries) {
        lines.push(`### ${s.role}: ${path.basename(s.file)} (${s.wallMs} ms wall, ${s.busyMs} ms busy)`, "");
        lines.push("| inclusive, by package | ms |", "|---|---:|", ...s.byPackage.map((p) => `| ${p.name} | ${p.ms} |`), "");
        lines.push("| self, by function | ms |", "|---|---:|", ...s.topSelf.map((p) => `| \`${p.name}\` | ${p.ms} |`), "");
    }
    return lines.join("\n");
}
