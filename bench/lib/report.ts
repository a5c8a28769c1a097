// The benchmark report: one self-contained HTML page (inline SVG, no script, nothing fetched)
// with a table of every figure, the ratio of each against its target, latency distributions
// (figure and baseline as cumulative curves) and throughput over time.
import { type BenchLine, verdict } from "./stats.ts";

export type Result = Omit<BenchLine, "samples"> & {
  bench: string;
  ratio?: number;
  samples?: { figure: number[]; baseline?: number[] };
};

export interface Report {
  at: string;
  mode: string;
  machine: { cpus: number; memoryGiB: number; node: string };
  benchmarks: { name: string; ok: boolean; seconds: number }[];
  results: Result[];
}

const html = (text: string) =>
  text.replace(
    /[&<>"]/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch] as string,
  );
const fmt = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n)
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: Math.abs(n) < 10 ? 2 : 0 });

/** "ratio ≤ 1.3" → { op: "≤", value: 1.3 }. */
function ratioTarget(target: string): { op: "≤" | "≥"; value: number } | undefined {
  const match = /ratio\s*([≤≥])\s*([\d.]+)/.exec(target);
  return match ? { op: match[1] as "≤" | "≥", value: Number(match[2]) } : undefined;
}

function ratioChart(results: Result[]): string {
  const rows = results.filter((r) => r.ratio !== undefined && Number.isFinite(r.ratio));
  if (rows.length === 0) return "<p>No ratios.</p>";
  const max = Math.max(2, ...rows.map((r) => Math.min(r.ratio as number, 5)));
  const width = 520;
  const rowH = 22;
  const left = 330;
  const x = (v: number) => left + (Math.min(v, 5) / max) * width;
  const bars = rows
    .map((r, i) => {
      const y = 20 + i * rowH;
      const target = ratioTarget(r.target);
      const marker = target
        ? `<line x1="${x(target.value)}" x2="${x(target.value)}" y1="${y - 2}" y2="${y + rowH - 6}" stroke="#222" stroke-width="2"><title>target ${html(r.target)}</title></line>`
        : "";
      return `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${html(`${r.bench}: ${r.name}`)}</text>
<rect x="${left}" y="${y}" width="${Math.max(1, x(r.ratio as number) - left)}" height="${rowH - 8}" fill="${r.met === "reported" ? "#999" : r.met ? "#3a7" : "#d54"}"><title>ratio ${fmt(r.ratio)} (${html(r.target)})</title></rect>
<text x="${x(r.ratio as number) + 4}" y="${y + 12}">${fmt(r.ratio)}</text>${marker}`;
    })
    .join("\n");
  const one = `<line x1="${x(1)}" x2="${x(1)}" y1="10" y2="${20 + rows.length * rowH}" stroke="#999" stroke-dasharray="4 3"/><text x="${x(1)}" y="10" text-anchor="middle">1.0</text>`;
  return `<svg class="chart" viewBox="0 0 ${left + width + 60} ${30 + rows.length * rowH}" role="img" aria-label="Ratio of each figure to its same-run baseline">${one}${bars}</svg>`;
}

function lineChart(
  title: string,
  lines: { label: string; color: string; points: [number, number][] }[],
  xLabel: string,
  yLabel: string,
): string {
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) return "";
  const [w, h, pad] = [520, 220, 48];
  const maxX = Math.max(...all.map((p) => p[0])) || 1;
  const maxY = Math.max(...all.map((p) => p[1])) || 1;
  const sx = (v: number) => pad + (v / maxX) * (w - pad - 10);
  const sy = (v: number) => h - pad + 10 - (v / maxY) * (h - pad - 10);
  const paths = lines
    .map(
      (l) =>
        `<polyline fill="none" stroke="${l.color}" stroke-width="2" points="${l.points.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(" ")}"><title>${html(l.label)}</title></polyline>`,
    )
    .join("");
  const legend = lines
    .map(
      (l, i) => `<text x="${pad + 8}" y="${18 + i * 14}" fill="${l.color}">${html(l.label)}</text>`,
    )
    .join("");
  return `<figure><svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${html(title)}">
<line x1="${pad}" y1="${h - pad + 10}" x2="${w - 10}" y2="${h - pad + 10}" stroke="#555"/><line x1="${pad}" y1="10" x2="${pad}" y2="${h - pad + 10}" stroke="#555"/>
<text x="${pad - 4}" y="16" text-anchor="end">${fmt(maxY)}</text><text x="${pad - 4}" y="${h - pad + 10}" text-anchor="end">0</text>
<text x="${w - 10}" y="${h - pad + 26}" text-anchor="end">${fmt(maxX)} ${html(xLabel)}</text><text x="${pad}" y="${h - 8}">${html(yLabel)}</text>
${paths}${legend}</svg><figcaption>${html(title)}</figcaption></figure>`;
}

/** Cumulative distribution: x = latency, y = share of requests at or under it. */
function cdf(values: number[]): [number, number][] {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((v, i) => [v, (i + 1) / sorted.length]);
}

export function renderReport(report: Report): string {
  const rows = report.results
    .map(
      (r) =>
        `<tr class="${r.met === "reported" ? "reported" : r.met ? "met" : "missed"}"><td>${html(r.bench)}</td><td>${html(r.name)}</td><td>${fmt(r.figure)} ${html(r.unit)}</td><td>${r.baseline === undefined ? "–" : `${fmt(r.baseline)} ${html(r.unit)}`}</td><td>${fmt(r.ratio)}</td><td>${html(r.target)}</td><td>${verdict(r)}</td></tr>`,
    )
    .join("\n");
  const distributions = report.results
    .filter((r) => r.samples && r.samples.figure.length > 0)
    .map((r) =>
      lineChart(
        `${r.bench}: ${r.name} — latency distribution`,
        [
          { label: "through the platform", color: "#c44", points: cdf(r.samples?.figure ?? []) },
          ...(r.samples?.baseline
            ? [{ label: "baseline", color: "#36c", points: cdf(r.samples.baseline) }]
            : []),
        ],
        r.unit,
        "share of requests",
      ),
    )
    .join("\n");
  const colors = ["#c44", "#36c", "#3a7", "#a5c", "#d90", "#555"];
  const series = report.results
    .filter((r) => r.series && r.series.length > 0)
    .map((r) =>
      lineChart(
        `${r.bench}: ${r.name} — over time`,
        (r.series ?? []).map((s, i) => ({
          label: s.label,
          color: colors[i % colors.length] as string,
          points: s.points,
        })),
        "s",
        r.series?.[0]?.unit ?? "",
      ),
    )
    .join("\n");
  const failed = report.benchmarks.filter((b) => !b.ok).map((b) => b.name);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stream Platform benchmarks ${html(report.at)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}
tr.missed td:last-child{color:#c22;font-weight:600}tr.met td:last-child{color:#282}tr.reported td:last-child{color:#666}
.chart{width:100%;max-width:900px;font-size:11px}figure{margin:1rem 0}svg text{fill:#333}
</style></head><body>
<h1>Stream Platform benchmarks</h1>
<p>${html(report.at)} · ${html(report.mode)} run · ${report.machine.cpus} CPUs, ${report.machine.memoryGiB} GiB, Node ${html(report.machine.node)}.
Every figure is measured against a baseline in the same run (the machine is shared): compare ratios, not absolute values.
${failed.length > 0 ? `<strong>Failed: ${html(failed.join(", "))}</strong>` : ""}</p>
<h2>Ratios against targets</h2>
<p>Bar: figure ÷ baseline (green: target met, red: missed, grey: reported, no target); black tick: the target ratio; dashed: 1.0.</p>
${ratioChart(report.results)}
<h2>All figures</h2>
<table><thead><tr><th>benchmark</th><th>figure</th><th>value</th><th>baseline</th><th>ratio</th><th>target</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Latency distributions</h2>
${distributions || "<p>None recorded.</p>"}
<h2>Throughput over time</h2>
${series || "<p>None recorded.</p>"}
<h2>Run</h2>
<ul>${report.benchmarks.map((b) => `<li>${html(b.name)}: ${b.ok ? "ok" : "failed"}, ${Math.round(b.seconds)} s</li>`).join("")}</ul>
</body></html>
`;
}
