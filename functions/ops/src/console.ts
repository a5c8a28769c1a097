// What the console shows, shaped from the metrics server's answers: pure, tested with values
// (test/unit/console.test.ts).
import type { Panel } from "@stream-platform/shared";
import type {
  ChartPanel,
  OpsFunctionRow,
  OpsLagRow,
  OpsStreamRow,
} from "@stream-platform/shared/api";
import type { Sample, Series } from "./metrics-server.ts";

const byLabel = (samples: Sample[], label: string) =>
  new Map(samples.map((s) => [s.labels[label] ?? "", s.value]));

/** A number fit for JSON: PromQL's NaN (0/0: no requests) and infinities are absent. */
const finite = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? value : undefined;

/** One row per service seen in the last hour, by name. */
export function functionRows(answers: {
  seen: Sample[];
  instances: Sample[];
  requestsPerSecond: Sample[];
  errorRatio: Sample[];
  p99Seconds: Sample[];
}): OpsFunctionRow[] {
  const instances = byLabel(answers.instances, "service");
  const rate = byLabel(answers.requestsPerSecond, "service");
  const errors = byLabel(answers.errorRatio, "service");
  const p99 = byLabel(answers.p99Seconds, "service");
  const names = new Set([...byLabel(answers.seen, "service").keys(), ...instances.keys()]);
  names.delete("");
  return [...names].sort().map((service) => ({
    service,
    requestsPerSecond: finite(rate.get(service)) ?? 0,
    errorRatio: finite(errors.get(service)) ?? 0,
    p99Seconds: finite(p99.get(service)) ?? null,
    instances: instances.get(service) ?? 0,
  }));
}

export function lagRows(samples: Sample[]): OpsLagRow[] {
  return samples
    .filter((s) => s.labels.source)
    .map((s) => ({ source: s.labels.source as string, lag: finite(s.value) ?? 0 }))
    .sort((a, b) => a.source.localeCompare(b.source));
}

export const STREAM_GAUGES = {
  signal: "live_stream_signal",
  inputKbps: "live_stream_input_kbps",
  fps: "live_stream_encoder_fps",
  encoderSpeed: "live_stream_encoder_speed",
  droppedFrames: "live_stream_dropped_frames",
  restarts: "live_stream_encoder_restarts",
  viewers: "sum by (event) (live_viewers)",
} as const;

export function streamRows(answers: Record<keyof typeof STREAM_GAUGES, Sample[]>): OpsStreamRow[] {
  const rows = new Map<string, OpsStreamRow>();
  const row = (labels: Record<string, string>) => {
    const event = labels.event ?? "";
    let found = rows.get(event);
    if (!found) {
      found = {
        event,
        channel: labels.channel ?? "",
        signal: false,
        inputKbps: null,
        fps: null,
        encoderSpeed: null,
        droppedFrames: null,
        restarts: null,
        viewers: null,
      };
      rows.set(event, found);
    }
    return found;
  };
  for (const sample of answers.signal) row(sample.labels).signal = sample.value === 1;
  for (const key of ["inputKbps", "fps", "encoderSpeed", "droppedFrames", "restarts"] as const)
    for (const sample of answers[key]) row(sample.labels)[key] = finite(sample.value) ?? null;
  // Viewers of events that are not streaming (a recording's) are no stream's.
  for (const sample of answers.viewers) {
    const found = rows.get(sample.labels.event ?? "");
    if (found) found.viewers = finite(sample.value) ?? null;
  }
  rows.delete("");
  return [...rows.values()].sort((a, b) => a.event.localeCompare(b.event));
}

/** A series' name from the panel's legend: `{{label}}` replaced by the series' label. */
export function seriesName(legend: string, labels: Record<string, string>): string {
  return legend.replace(/\{\{(\w+)\}\}/g, (_, name: string) => labels[name] ?? "").trim();
}

export function chartPanel(panel: Panel, series: Series[]): ChartPanel {
  return {
    title: panel.title,
    unit: panel.unit,
    series: series
      .map((s) => ({
        name: seriesName(panel.legend, s.labels) || panel.title,
        points: s.points.filter(([, v]) => Number.isFinite(v)),
      }))
      .filter((s) => s.points.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A step that draws about 120 points however far back the chart goes, never under 15 s. */
export const stepFor = (minutes: number) => Math.max(15, Math.round((minutes * 60) / 120));
