// What an operator looks at, as PromQL over the metrics the processes serve: one list, from which
// the Grafana dashboard for cluster users is generated (local/src/deploy/grafana.ts, written to
// deploy/grafana/) and which the operator console draws. Series carry a `service` label (the
// local scrape sets it; on a cluster, relabel the pod's serving.knative.dev/service label to it).

export interface Panel {
  title: string;
  /** PromQL; `{{label}}` in `legend` names each series. */
  query: string;
  legend: string;
  unit: "reqps" | "percentunit" | "s" | "short" | "ops" | "bytes" | "kbps";
}

export interface PanelRow {
  title: string;
  panels: Panel[];
}

const requests = "http_server_request_duration_seconds";

/** The queries the console's tables read as well as its charts (functions/ops). */
export const OPS_QUERIES = {
  requestsPerSecond: `sum by (service) (rate(${requests}_count[1m]))`,
  errorRatio: `sum by (service) (rate(${requests}_count{status=~"5.."}[5m])) / sum by (service) (rate(${requests}_count[5m]))`,
  p99Seconds: `histogram_quantile(0.99, sum by (service, le) (rate(${requests}_bucket[5m])))`,
  instances: "count by (service) (process_start_time_seconds)",
  /** Every service that ran in the last hour: those with no instance now are scaled to zero. */
  seen: "count by (service) (last_over_time(process_start_time_seconds[1h]))",
  consumerLag: "sum by (source) (kafka_consumer_lag)",
} as const;

export const PANEL_ROWS: PanelRow[] = [
  {
    title: "Functions",
    panels: [
      {
        title: "Requests per second",
        query: OPS_QUERIES.requestsPerSecond,
        legend: "{{service}}",
        unit: "reqps",
      },
      {
        title: "Errors (5xx share)",
        query: OPS_QUERIES.errorRatio,
        legend: "{{service}}",
        unit: "percentunit",
      },
      {
        title: "Latency p99",
        query: OPS_QUERIES.p99Seconds,
        legend: "{{service}}",
        unit: "s",
      },
      {
        title: "Instances running (none: scaled to zero)",
        query: OPS_QUERIES.instances,
        legend: "{{service}}",
        unit: "short",
      },
    ],
  },
  {
    title: "Eventing",
    panels: [
      {
        title: "CloudEvents handled per second",
        query: "sum by (type, outcome) (rate(cloudevents_handled_total[1m]))",
        legend: "{{type}} {{outcome}}",
        unit: "ops",
      },
      {
        title: "Consumer lag",
        query: OPS_QUERIES.consumerLag,
        legend: "{{source}}",
        unit: "short",
      },
      {
        title: "Outbox backlog",
        query: "sum by (service, store) (outbox_pending)",
        legend: "{{service}} ({{store}})",
        unit: "short",
      },
    ],
  },
  {
    title: "Live",
    panels: [
      {
        title: "Live streams",
        query: "sum(live_streams)",
        legend: "streams",
        unit: "short",
      },
      {
        title: "Viewers now",
        query: "sum by (event) (live_viewers)",
        legend: "{{event}}",
        unit: "short",
      },
      {
        title: "Encoder speed (× real time)",
        query: "live_stream_encoder_speed",
        legend: "{{event}}",
        unit: "short",
      },
      {
        title: "Ingest bitrate",
        query: "live_stream_input_kbps",
        legend: "{{event}}",
        unit: "kbps",
      },
      {
        title: "Dropped frames",
        query: "live_stream_dropped_frames",
        legend: "{{event}}",
        unit: "short",
      },
      {
        title: "Encoder restarts",
        query: "live_stream_encoder_restarts",
        legend: "{{event}}",
        unit: "short",
      },
      {
        title: "SSE connections",
        query: "sum by (gateway) (sse_connections)",
        legend: "{{gateway}}",
        unit: "short",
      },
    ],
  },
  {
    title: "Processes",
    panels: [
      {
        title: "CPU",
        query: "sum by (service) (rate(process_cpu_seconds_total[1m]))",
        legend: "{{service}}",
        unit: "short",
      },
      {
        title: "Memory (RSS)",
        query: "sum by (service) (process_resident_memory_bytes)",
        legend: "{{service}}",
        unit: "bytes",
      },
      {
        title: "Event-loop delay p99",
        query: "max by (service) (nodejs_eventloop_lag_p99_seconds)",
        legend: "{{service}}",
        unit: "s",
      },
    ],
  },
];

/** The metric names a query reads (what the registries must serve). */
export function metricsOf(query: string): string[] {
  const names = new Set<string>();
  const functions = new Set([
    "sum",
    "rate",
    "count",
    "max",
    "histogram_quantile",
    "last_over_time",
    "by",
    "le",
  ]);
  for (const m of query.matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=[{[)\s]|$)/g)) {
    const name = m[1] as string;
    if (!functions.has(name) && name.includes("_")) names.add(name);
  }
  return [...names];
}
