// The metrics server's Prometheus query API (METRICS_URL: VictoriaMetrics locally, a cluster's
// Prometheus): instant and range queries, each answered within a few seconds or not at all, so
// the console says "metrics unavailable" rather than hang.
import { getJson } from "./upstream.ts";

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  points: [number, number][];
}

export class MetricsUnavailable extends Error {}

interface PromAnswer<T> {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: T[] };
}

export class MetricsServer {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  async instant(query: string): Promise<Sample[]> {
    const result = await this.get<{ metric: Record<string, string>; value: [number, string] }>(
      "query",
      { query },
    );
    return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async range(query: string, start: number, end: number, step: number): Promise<Series[]> {
    const result = await this.get<{
      metric: Record<string, string>;
      values: [number, string][];
    }>("query_range", { query, start: String(start), end: String(end), step: String(step) });
    return result.map((r) => ({
      labels: r.metric,
      points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  }

  private async get<T>(path: string, params: Record<string, string>): Promise<T[]> {
    const { body: answer } = await getJson<PromAnswer<T>>(
      this.baseUrl,
      `/api/v1/${path}?${new URLSearchParams(params)}`,
      this.timeoutMs,
      (message) => new MetricsUnavailable(`the metrics server at ${message}`),
    );
    if (answer?.status !== "success" || !answer.data)
      throw new MetricsUnavailable(
        `the metrics server refused the query: ${answer?.error ?? "no data"}`,
      );
    return answer.data.result;
  }
}
