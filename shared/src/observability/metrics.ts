// Prometheus metrics of a process, written in the text exposition format (0.0.4) at GET /metrics.
// A registry of counters, gauges and histograms with fixed label names; no dependency (a client
// library costs tens of milliseconds of every cold start, and these few kinds are all we need).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { processGlobal } from "../util/process-global.ts";

type LabelValues = Record<string, string | number>;

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

const formatNumber = (value: number) =>
  Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";

abstract class Metric<Series> {
  protected readonly series = new Map<string, { labels: string; value: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
  }

  abstract readonly type: "counter" | "gauge" | "histogram";
  protected abstract fresh(): Series;
  protected abstract sampleLines(labels: string, value: Series): string[];

  /** The series of these label values (every label name given, nothing else). */
  protected at(values: LabelValues = {}): Series {
    const parts = this.labelNames.map((name) => {
      const value = values[name];
      if (value === undefined) throw new Error(`${this.name}: label ${name} missing`);
      return `${name}="${escapeLabel(String(value))}"`;
    });
    const labels = parts.join(",");
    let entry = this.series.get(labels);
    if (!entry) {
      entry = { labels, value: this.fresh() };
      this.series.set(labels, entry);
    }
    return entry.value;
  }

  /** Forgets the series of these label values (a stream that ended, say). */
  remove(values: LabelValues): void {
    const labels = this.labelNames
      .map((name) => `${name}="${escapeLabel(String(values[name] ?? ""))}"`)
      .join(",");
    this.series.delete(labels);
  }

  /** Forgets every series (gauges rebuilt at each collect, from what exists now). */
  reset(): void {
    this.series.clear();
  }

  lines(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values())
      out.push(...this.sampleLines(labels, value));
    return out;
  }
}

const braces = (labels: string) => (labels ? `{${labels}}` : "");

export class Counter extends Metric<{ value: number }> {
  readonly type = "counter";
  protected fresh = () => ({ value: 0 });
  inc(values?: LabelValues, by = 1): void {
    this.at(values).value += by;
  }
  get(values?: LabelValues): number {
    return this.at(values).value;
  }
  protected sampleLines(labels: string, series: { value: number }): string[] {
    return [`${this.name}${braces(labels)} ${formatNumber(series.value)}`];
  }
}

export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge";
  protected fresh = () => ({ value: 0 });
  set(values: LabelValues, value: number): void {
    this.at(values).value = value;
  }
  inc(values?: LabelValues, by = 1): void {
    this.at(values).value += by;
  }
  dec(values?: LabelValues, by = 1): void {
    this.at(values).value -= by;
  }
  protected sampleLines(labels: string, series: { value: number }): string[] {
    return [`${this.name}${braces(labels)} ${formatNumber(series.value)}`];
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/** Seconds: from 1 ms (an in-memory answer) to 10 s (a fan-out), as Prometheus clients default. */
export const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    super(name, help, labelNames);
  }

  protected fresh = (): HistogramSeries => ({
    counts: this.buckets.map(() => 0),
    sum: 0,
    count: 0,
  });

  observe(values: LabelValues, value: number): void {
    const series = this.at(values);
    series.sum += value;
    series.count += 1;
    // Stored per bucket, made cumulative when written.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index] = (series.counts[index] ?? 0) + 1;
  }

  protected sampleLines(labels: string, series: HistogramSeries): string[] {
    const prefix = labels ? `${labels},` : "";
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += series.counts[i] ?? 0;
      out.push(`${this.name}_bucket{${prefix}le="${formatNumber(bound)}"} ${cumulative}`);
    });
    out.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
    out.push(`${this.name}_sum${braces(labels)} ${formatNumber(series.sum)}`);
    out.push(`${this.name}_count${braces(labels)} ${series.count}`);
    return out;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric<unknown>>();
  private readonly collectors: (() => void)[] = [];

  private add<M extends Metric<unknown>>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    // Two modules asking for the same metric share it (a module loaded twice, say).
    if (existing) {
      if (existing.type !== metric.type) throw new Error(`${metric.name} is a ${existing.type}`);
      return existing as M;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets?: readonly number[],
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Runs before each exposition: for gauges read off something else (a queue's length). */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The text exposition of every metric. */
  exposition(): string {
    for (const collect of this.collectors) collect();
    return `${[...this.metrics.values()].flatMap((metric) => metric.lines()).join("\n")}\n`;
  }
}

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The process's registry: what GET /metrics shows (one for the host's bundle and the function's). */
export const metrics = processGlobal("metrics", () => new Registry());

const collecting = processGlobal("process-metrics", () => ({ started: false }));

/**
 * CPU, memory and event-loop delay of this process, the standard names. Started with the first
 * scrape, so a process nobody scrapes (and its cold start) pays nothing for it.
 */
export function collectProcessMetrics(registry = metrics): void {
  if (collecting.started) return;
  collecting.started = true;
  const cpu = registry.counter("process_cpu_seconds_total", "User and system CPU time spent.");
  const rss = registry.gauge("process_resident_memory_bytes", "Resident memory size.");
  const heap = registry.gauge("nodejs_heap_size_used_bytes", "V8 heap in use.");
  const start = registry.gauge("process_start_time_seconds", "Start time, Unix seconds.");
  const lag = registry.gauge(
    "nodejs_eventloop_lag_p99_seconds",
    "Event-loop delay, 99th percentile since the last scrape.",
  );
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  start.set({}, Math.round(Date.now() / 1000 - process.uptime()));
  registry.onCollect(() => {
    const usage = process.cpuUsage();
    const seconds = (usage.user + usage.system) / 1e6;
    cpu.inc({}, seconds - cpu.get());
    const memory = process.memoryUsage();
    rss.set({}, memory.rss);
    heap.set({}, memory.heapUsed);
    lag.set({}, delay.percentile(99) / 1e9);
    delay.reset();
  });
}
