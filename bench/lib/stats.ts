// Figures for benchmarks: percentiles, and one line per result with its same-run baseline,
// the ratio and the target (the machine is shared and noisy: only ratios compare).

import { appendFileSync } from "node:fs";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function summarize(samples: number[]): {
  p50: number;
  p99: number;
  max: number;
  count: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    count: sorted.length,
  };
}

export interface BenchLine {
  name: string;
  figure: number;
  baseline?: number;
  unit: string;
  /** "higher" when more is better (throughput), "lower" for latency. */
  better: "higher" | "lower";
  target: string;
  /** Whether the target is met; "reported" for a figure without a target (never "met"). */
  met: boolean | "reported";
  /** The measurements behind a latency figure (and its baseline's), for the report's charts. */
  samples?: { figure: number[]; baseline?: number[] };
  /** Values over time (seconds since the start, value), for the report's charts. */
  series?: { label: string; unit: string; points: [number, number][] }[];
}

/** At most `max` values, evenly picked from the sorted ones: a distribution keeps its shape. */
function thin(values: number[], max = 1000): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  return Array.from(
    { length: max },
    (_, i) => sorted[Math.floor((i * sorted.length) / max)] as number,
  );
}

/**
 * When run by `npm run bench` (BENCH_RESULTS_FILE set), each result is also appended to that
 * file as a JSON line, with the benchmark's name (BENCH_NAME).
 */
function record(line: BenchLine): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  const entry = {
    bench: process.env.BENCH_NAME ?? "",
    ...line,
    ratio: line.baseline ? line.figure / line.baseline : undefined,
    ...(line.samples && {
      samples: {
        figure: thin(line.samples.figure),
        ...(line.samples.baseline && { baseline: thin(line.samples.baseline) }),
      },
    }),
  };
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

const fmt = (n: number) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 2 : 0 }) : "-";

/** "met", "NOT met", or "reported" for a figure that has no target. */
export function verdict(line: Pick<BenchLine, "met">): "met" | "NOT met" | "reported" {
  return line.met === "reported" ? "reported" : line.met ? "met" : "NOT met";
}

export function printLine(line: BenchLine): void {
  record(line);
  const ratio = line.baseline ? line.figure / line.baseline : undefined;
  console.log(
    [
      line.name.padEnd(34),
      `${fmt(line.figure)} ${line.unit}`.padEnd(18),
      line.baseline === undefined
        ? "".padEnd(26)
        : `baseline ${fmt(line.baseline)} ${line.unit}`.padEnd(26),
      ratio === undefined ? "".padEnd(12) : `ratio ${ratio.toFixed(2)}`.padEnd(12),
      `target ${line.target}`.padEnd(22),
      verdict(line),
    ].join(" "),
  );
}
