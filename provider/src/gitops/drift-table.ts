import type { DriftSummary, FieldDrift } from "./drift-summary";

/** The drift summary as a few lines for a person: a headline, then one row per drifted VM. */
export function driftTable(summary: DriftSummary): string {
    const { counts } = summary;
    const headline = summary.drifted
        ? `stack ${summary.stack}: ${summary.vms.length} of ${counts.vms} VMs drifted (${counts.gone} gone, ${counts.changed} changed` +
          `${counts.unmanaged > 0 ? `, ${counts.unmanaged} no longer in the program` : ""}, ${counts.unchanged} unchanged)`
        : `stack ${summary.stack}: no drift (${counts.vms} VMs checked)`;
    if (!summary.drifted) return `${headline}\n`;
    const rows = [["NAME", "DRIFT", "ACTION", "COMPUTE SYSTEM", "FIELDS"], ...summary.vms.map((vm) => [
        vm.name, vm.drift, vm.action, vm.computeSystemId ?? "-", vm.fields.map(describeField).join(", ") || "-",
    ])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
    return [headline, ...lines, ""].join("\n");
}

/** `processorLimit 50000 -> 30000`, with the host's value when the refresh read another one. */
function describeField(field: FieldDrift): string {
    const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
    const seen = JSON.stringify(field.actual) !== JSON.stringify(field.recorded) ? ` (host: ${show(field.actual)})` : "";
    const replace = field.kind.endsWith("-replace") ? " [replace]" : "";
    return `${field.field} ${show(field.recorded)}${seen} -> ${show(field.desired)}${replace}`;
}
