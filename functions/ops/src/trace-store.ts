// Reads one trace back from the trace store's query API (TRACES_URL: Jaeger, locally and as
// the cluster's), as the console draws it: spans in start order, times relative to the trace's
// start, each with its parent and service.
import type { TraceSpan } from "@stream-platform/shared/api";
import { getJson } from "./upstream.ts";

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: { refType: string; spanID: string }[];
  startTime: number;
  duration: number;
  processID: string;
  tags?: { key: string; value: string | number | boolean }[];
}

interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export class TracesUnavailable extends Error {}

/** Jaeger's trace as the console's spans (µs → ms). */
export function toSpans(trace: JaegerTrace): TraceSpan[] {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  return trace.spans
    .map((span) => {
      const attributes = Object.fromEntries((span.tags ?? []).map((t) => [t.key, t.value]));
      return {
        spanId: span.spanID,
        parentSpanId: span.references?.find((r) => r.refType === "CHILD_OF")?.spanID ?? null,
        service: trace.processes[span.processID]?.serviceName ?? "",
        name: span.operationName,
        startMs: (span.startTime - start) / 1000,
        durationMs: span.duration / 1000,
        error: attributes.error === true || attributes["otel.status_code"] === "ERROR",
        attributes,
      };
    })
    .sort((a, b) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId));
}

export class TraceStore {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** The trace's spans, or undefined while the store does not know it (spans arrive late). */
  async trace(traceId: string): Promise<TraceSpan[] | undefined> {
    const { status, body } = await getJson<{ data?: JaegerTrace[] }>(
      this.baseUrl,
      `/api/traces/${traceId}`,
      this.timeoutMs,
      (message) => new TracesUnavailable(`the trace store at ${message}`),
    );
    if (status === 404) return undefined;
    if (status !== 200) throw new TracesUnavailable(`the trace store answered ${status}`);
    const trace = body?.data?.[0];
    return trace && trace.spans.length > 0 ? toSpans(trace) : undefined;
  }
}
