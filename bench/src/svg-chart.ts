/**
 * The bench's chart: command time against N for pulumi-hcs and the floor (and pulumi-hcs through the
 * host agent, when `--agent` measured it), one panel per command, as a self-contained SVG (no dependency). N is on a log scale (1 … 500 on one axis); each point is
 * the median, with a bar from the fastest to the slowest run.
 */
import type { Timing } from "./results";
import type { Summary } from "./statistics";
import { COMMANDS } from "./series";

const PANEL_W = 360;
const PANEL_H = 240;
const MARGIN = { left: 52, right: 16, top: 30, bottom: 40 };
const COLORS = { floor: "#7f7f7f", hcs: "#1f6fd1", agent: "#d1761f" };
type Line = keyof typeof COLORS;

/** The summary a line plots: the agent's is optional (only with `--agent`). */
function summaryOf(t: Timing, line: Line): Summary | undefined {
    return line === "agent" ? t.agent?.seconds : t[line];
}

export function svgChart(timings: readonly Timing[], title: string): string {
    const sizes = [...new Set(timings.map((t) => t.n))].sort((a, b) => a - b);
    const withAgent = timings.some((t) => t.agent);
    const lines: Line[] = withAgent ? ["floor", "hcs", "agent"] : ["floor", "hcs"];
    const width = PANEL_W * 2;
    const height = PANEL_H * 2 + 56;
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
        legend(width / 2 - 110, 38, withAgent),
    ];
    COMMANDS.forEach((command, i) => {
        const x0 = (i % 2) * PANEL_W;
        const y0 = 50 + Math.floor(i / 2) * PANEL_H;
        parts.push(panel(command, timings.filter((t) => t.command === command), sizes, x0, y0, lines));
    });
    parts.push("</svg>");
    return parts.join("\n");
}

function panel(command: string, timings: readonly Timing[], sizes: readonly number[], x0: number, y0: number, lines: readonly Line[]): string {
    const plotW = PANEL_W - MARGIN.left - MARGIN.right;
    const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
    const left = x0 + MARGIN.left;
    const top = y0 + MARGIN.top;
    const highest = Math.max(0.001, ...timings.flatMap((t) => lines.map((line) => summaryOf(t, line)?.max ?? 0)));
    const step = niceStep(highest / 4);
    const ticks = Math.ceil(highest / step);
    const maxY = step * ticks;
    const logMin = Math.log10(Math.min(...sizes));
    const logMax = Math.log10(Math.max(...sizes));
    const xOf = (n: number) => left + (logMax === logMin ? plotW / 2 : ((Math.log10(n) - logMin) / (logMax - logMin)) * plotW);
    const yOf = (s: number) => top + plotH - (s / maxY) * plotH;
    const out: string[] = [`<g>`, `<text x="${left + plotW / 2}" y="${y0 + 18}" text-anchor="middle" font-size="12" font-weight="bold">pulumi ${command}</text>`];
    out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`);
    for (let k = 0; k <= ticks; k++) {
        const value = step * k;
        const y = yOf(value);
        out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
        out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${formatSeconds(value)}</text>`);
    }
    for (const n of sizes) out.push(`<text x="${xOf(n)}" y="${top + plotH + 16}" text-anchor="middle">${n}</text>`);
    out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle">N (resources, log scale)</text>`);
    out.push(`<text x="${x0 + 14}" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${top + plotH / 2})">seconds</text>`);
    for (const line of lines) {
        const points = [...timings].sort((a, b) => a.n - b.n).flatMap((t) => {
            const s = summaryOf(t, line);
            return s ? [{ x: xOf(t.n), s }] : [];
        });
        const color = COLORS[line];
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${p.x.toFixed(1)},${yOf(p.s.median).toFixed(1)}`).join(" ")}"/>`);
        for (const p of points) {
            out.push(`<line x1="${p.x}" x2="${p.x}" y1="${yOf(p.s.min)}" y2="${yOf(p.s.max)}" stroke="${color}" stroke-width="1"/>`);
            out.push(`<circle cx="${p.x}" cy="${yOf(p.s.median)}" r="3" fill="${color}"/>`);
        }
    }
    out.push("</g>");
    return out.join("\n");
}

function legend(x: number, y: number, withAgent: boolean): string {
    const entries = [
        `<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${COLORS.hcs}" stroke-width="2"/>`,
        `<text x="${x + 30}" y="${y + 4}">pulumi-hcs</text>`,
        `<line x1="${x + 110}" x2="${x + 134}" y1="${y}" y2="${y}" stroke="${COLORS.floor}" stroke-width="2"/>`,
        `<text x="${x + 140}" y="${y + 4}">floor (no-op dynamic provider)</text>`,
    ];
    if (withAgent) {
        // Below the other two, so the legend without the agent stays where it was.
        entries.push(
            `<line x1="${x}" x2="${x + 24}" y1="${y + 12}" y2="${y + 12}" stroke="${COLORS.agent}" stroke-width="2"/>`,
            `<text x="${x + 30}" y="${y + 16}">pulumi-hcs through the host agent</text>`,
        );
    }
    return entries.join("\n");
}

/** The grid step: 1, 2 or 5 times a power of ten, at or above `value`. */
function niceStep(value: number): number {
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
}

function formatSeconds(value: number): string {
    return Number(value.toPrecision(3)).toString();
}

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
