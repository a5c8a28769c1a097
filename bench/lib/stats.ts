// Figures for benchmarks: percentiles, and one line per result with its same-run baseline,
// the ratio and the target (the machine is shared and noisy: only ratios compare).

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
  met: boolean;
}

const fmt = (n: number) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 2 : 0 }) : "-";

export function printLine(line: BenchLine): void {
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
      line.met ? "met" : "NOT met",
    ].join(" "),
  );
}
