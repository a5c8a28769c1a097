// What the ops function's API answers (/api/ops/…, the operator console): one set of shapes for
// the function that writes them and the web app that reads them.

/** A Service seen in the last hour: its figures now (from the metrics server). */
export interface OpsFunctionRow {
  service: string;
  requestsPerSecond: number;
  /** The share of answers that were 5xx over 5 minutes, 0–1. */
  errorRatio: number;
  /** null: no request in the window. */
  p99Seconds: number | null;
  /** Instances running; 0: scaled to zero. */
  instances: number;
}

export interface OpsLagRow {
  source: string;
  lag: number;
}

/** A live stream's health, from stream-server's per-stream gauges (null: not reported). */
export interface OpsStreamRow {
  event: string;
  channel: string;
  /** Whether the encoder hears the publisher (false: nothing for 5 s). */
  signal: boolean;
  inputKbps: number | null;
  fps: number | null;
  encoderSpeed: number | null;
  droppedFrames: number | null;
  restarts: number | null;
  /** Watching now, from analytics' heartbeats. */
  viewers: number | null;
}

export interface OpsSummary {
  functions: OpsFunctionRow[];
  lag: OpsLagRow[];
  streams: OpsStreamRow[];
  deadLetters: { total: number; unreplayed: number };
  /** The console's page of a trace, `{traceId}` in it. */
  traceUrl: string | null;
  /** "unavailable": the metrics server could not be reached (no figures). */
  metrics: "ok" | "unavailable";
  metricsProblem?: string;
}

export type PanelUnit = "reqps" | "percentunit" | "s" | "short" | "ops" | "bytes" | "kbps";

export interface ChartSeries {
  name: string;
  /** [unix seconds, value] */
  points: [number, number][];
}

export interface ChartPanel {
  title: string;
  unit: PanelUnit;
  series: ChartSeries[];
}

export interface OpsPanels {
  minutes: number;
  /** Seconds between points. */
  step: number;
  rows: { title: string; panels: ChartPanel[] }[];
}

/** A CloudEvent a sink refused after every retry, as the console lists it. */
export interface DeadLetterView {
  /** URL-safe; one per event and refusing sink. */
  key: string;
  id: string;
  type: string;
  source: string;
  subject: string | null;
  /** The sink URL or topic that refused it. */
  destination: string;
  /** The sink's HTTP status. */
  code: string | null;
  /** What the sink answered. */
  reason: string;
  deadLetteredAt: string;
  replayedAt: string | null;
  /** How many times it was dead-lettered (again after a replay). */
  failures: number;
  traceparent: string | null;
  data: unknown;
}

export interface DeadLetterPage {
  items: DeadLetterView[];
  /** Pass as `before` for the next page. */
  next: string | null;
}

/** One span of a trace, times from the trace's first span. */
export interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  attributes: Record<string, string | number | boolean>;
}

export interface Trace {
  traceId: string;
  spans: TraceSpan[];
}
