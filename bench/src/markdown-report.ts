/** The bench's results as Markdown: the tables `npm run bench` prints and writes to .bench/. */
import type { BenchResults, Timing } from "./results";
import type { Summary } from "./statistics";

/** The whole report: timings, growth, state, calls, binding throughput, and how it was made. */
export function markdownReport(results: BenchResults): string {
    const lines: string[] = [];
    lines.push(`# pulumi-hcs bench`, "");
    lines.push(`\`${results.command}\`, ${results.startedAt}, ${formatDuration(results.totalSeconds)} in all. ` +
        `${describeMachine(results.machine)}. Each cell: median [min–max] of ${describeRuns(results)} of the \`pulumi\` command's wall time; ` +
        `floor = the same engine with a no-op dynamic provider and the same inputs; ratio = pulumi-hcs median ÷ floor median.`, "");
    lines.push(...timingTable(results.timings), "");
    if (results.timings.some((t) => t.shapeFloor)) lines.push(...shapeTable(results.timings), "");
    if (results.timings.some((t) => t.agent)) lines.push(...agentTable(results.timings), "");
    if (results.growth.length > 0) lines.push(...growthTable(results), "");
    lines.push(...stateTable(results), "");
    if (results.hcsCallsPerResource.length > 0) lines.push(...callsTable(results), "");
    if (results.binding) lines.push(...bindingTable(results), "");
    if (results.failures.length > 0) {
        lines.push("Failed series (left out of the tables):", "");
        for (const f of results.failures) lines.push(`- ${f.kind} N=${f.n} run ${f.run}: ${f.error.split("\n")[0]}`);
        lines.push("");
    }
    return lines.join("\n");
}

/** The main table: one row per N and command. */
export function timingTable(timings: readonly Timing[]): string[] {
    const rows = ["| N | command | floor (s) | pulumi-hcs (s) | ratio | per-run ratio [min–max] |", "|---:|---|---:|---:|---:|---:|"];
    for (const t of timings) {
        rows.push(`| ${t.n} | ${t.command} | ${cell(t.floor)} | ${cell(t.hcs)} | **${t.ratio.toFixed(2)}×** | ${t.pairedRatio.min.toFixed(2)}–${t.pairedRatio.max.toFixed(2)} |`);
    }
    return rows;
}

/** floor → shape floor → pulumi-hcs: what the schema costs in Pulumi, and what pulumi-hcs's own work costs. */
function shapeTable(timings: readonly Timing[]): string[] {
    const rows = [
        "Where the ratio comes from: the shape floor is the no-op provider carrying pulumi-hcs's inputs and outputs (`--shape-floor`):",
        "",
        "| N | command | floor (s) | shape floor (s) | pulumi-hcs (s) | schema: shape ÷ floor | own work: pulumi-hcs ÷ shape |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ];
    for (const t of timings.filter((x) => x.shapeFloor)) {
        const shape = t.shapeFloor!;
        rows.push(`| ${t.n} | ${t.command} | ${t.floor.median.toFixed(2)} | ${shape.median.toFixed(2)} | ${t.hcs.median.toFixed(2)} | ` +
            `${(shape.median / t.floor.median).toFixed(2)}× | ${(t.hcs.median / shape.median).toFixed(2)}× |`);
    }
    return rows;
}

/** The host-agent path against the direct one (`--agent`): what going through `pulumi-hcs agent` costs. */
export function agentTable(timings: readonly Timing[]): string[] {
    const rows = [
        "Through the host agent (`--agent`): pulumi-hcs-agent is the same program on the same kind of fresh simulated host, " +
            "reached through `pulumi-hcs agent` (gRPC, mutual TLS, 127.0.0.1) instead of directly; agent ÷ direct = pulumi-hcs-agent median ÷ pulumi-hcs median in this run:",
        "",
        "| N | command | pulumi-hcs (s) | pulumi-hcs-agent (s) | agent ÷ direct | per-run ratio [min–max] | agent ÷ floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ];
    for (const t of timings.filter((x) => x.agent)) {
        const a = t.agent!;
        rows.push(`| ${t.n} | ${t.command} | ${cell(t.hcs)} | ${cell(a.seconds)} | **${a.ratioToDirect.toFixed(2)}×** | ` +
            `${a.pairedRatioToDirect.min.toFixed(2)}–${a.pairedRatioToDirect.max.toFixed(2)} | ${a.ratioToFloor.toFixed(2)}× |`);
    }
    return rows;
}

function growthTable(results: BenchResults): string[] {
    const rows = [
        "How the ratio moves with N, and what one more resource costs (median time added per resource, ms):",
        "",
        "| command | ratio | trend | marginal ms/resource floor → pulumi-hcs, by step of N |",
        "|---|---|---|---|",
    ];
    for (const g of results.growth) {
        const steps = g.steps.map((s) => `${s.from}→${s.to}: ${s.floor} → ${s.hcs}`).join("; ");
        rows.push(`| ${g.command} | ${g.ratioFrom.toFixed(2)}× at N=${g.from} → ${g.ratioTo.toFixed(2)}× at N=${g.to} | ${g.trend} | ${steps} |`);
    }
    return rows;
}

function stateTable(results: BenchResults): string[] {
    const rows = [
        "State per resource (bytes):",
        "",
        "| N | kind | checkpoint ÷ N | one resource (JSON) | `__provider` string | `__provider` per resource (inputs + outputs) |",
        "|---:|---|---:|---:|---:|---:|",
    ];
    for (const s of results.state) {
        rows.push(`| ${s.n} | ${s.kind} | ${s.checkpointBytesPerResource} | ${s.resourceJsonBytes} | ${s.providerBytes} | ${s.providerBytesPerResource} |`);
    }
    return rows;
}

function callsTable(results: BenchResults): string[] {
    const largest = Math.max(...results.hcsCallsPerResource.map((c) => c.n));
    const rows = [`HCS calls per resource (pulumi-hcs, N=${largest}, counted by the simulator):`, "", "| command | calls |", "|---|---|"];
    for (const c of results.hcsCallsPerResource.filter((x) => x.n === largest)) {
        const list = Object.entries(c.calls).map(([fn, count]) => `${fn.replace(/^Hcs/, "")} ${count}`).join(", ");
        rows.push(`| ${c.command} | ${list || "none"} |`);
    }
    return rows;
}

function bindingTable(results: BenchResults): string[] {
    const binding = results.binding!;
    const rows = [
        "Binding throughput: HCS calls per second into the simulator (median [min–max]):",
        "",
        "| call | path | in flight | calls/s | µs/call |",
        "|---|---|---:|---:|---:|",
    ];
    for (const c of binding.cases) {
        const s = c.callsPerSecond;
        rows.push(`| ${c.call} | ${c.path} | ${c.inFlight} | ${Math.round(s.median)} [${Math.round(s.min)}–${Math.round(s.max)}] | ${Math.round(1e6 / s.median)} |`);
    }
    rows.push("", "| call | in flight | wire ÷ koffi (binding overhead) |", "|---|---:|---:|");
    for (const o of binding.overhead) rows.push(`| ${o.call} | ${o.inFlight} | ${o.ratio.toFixed(2)}× |`);
    rows.push("", "Floors (one call in flight; a gross regression when missed):", "");
    for (const f of binding.floors) {
        const measured = f.measured === null ? "not measured" : `${Math.round(f.measured)} calls/s, ${(f.measured / f.minCallsPerSecond).toFixed(1)}× the floor`;
        rows.push(`- ${f.call}, ${f.path}: at least ${f.minCallsPerSecond} calls/s: ${f.ok ? "met" : "**MISSED**"} (${measured})`);
    }
    return rows;
}

function cell(s: Summary): string {
    return `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
}

function describeRuns(results: BenchResults): string {
    const counts = new Map<number, number>();
    for (const s of results.series) if (s.kind === "floor") counts.set(s.n, (counts.get(s.n) ?? 0) + 1);
    const distinct = new Set(counts.values());
    const runs = (c: number) => `${c} run${c === 1 ? "" : "s"}`;
    if (distinct.size === 1) return runs([...distinct][0]!);
    return [...counts].map(([n, c]) => `${runs(c)} at N=${n}`).join(", ");
}

function describeMachine(machine: Record<string, string | number>): string {
    return `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Pulumi ${machine.pulumi}`;
}

export function formatDuration(seconds: number): string {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
