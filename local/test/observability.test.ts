// The local observability servers, with real round trips: VictoriaMetrics scrapes a running
// function instance that the eventing runtime's service discovery names (at the process's own
// port, not its activator's), and Jaeger takes an OTLP/HTTP span and gives it back by its trace.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { LOCAL_HOST, localPorts, serviceUrls } from "@stream-platform/shared";
import { until } from "@stream-platform/shared/testing";
import { describe, expect, it } from "vitest";
import { loadManifests } from "../src/eventing/manifests.ts";
import { SCRAPE_TARGETS_PATH, type ScrapeTargetGroup } from "../src/eventing/scrape-targets.ts";
import { topology } from "../src/eventing/topology.ts";
import { repoRoot } from "../src/paths.ts";
import { jaegerUrl, otlpEndpoint } from "../src/servers/jaeger.ts";
import { victoriaMetricsUrl } from "../src/servers/victoria-metrics.ts";

const platformUrl = () => `http://${LOCAL_HOST}:${localPorts().platform}`;

/** The instant query's samples: each series' labels and its value. */
async function query(promql: string): Promise<{ metric: Record<string, string>; value: string }[]> {
  const response = await fetch(
    `${victoriaMetricsUrl()}/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result.map(({ metric, value }) => ({ metric, value: value[1] }));
}

describe("metrics (VictoriaMetrics)", () => {
  it("scrapes a running function instance found through the runtime, not through its activator", async () => {
    // A public route through the edge wakes the events function if it scaled to zero.
    expect((await fetch(`${serviceUrls().edgeUrl}/api/events`)).status).toBe(200);

    const target = await until("the events function in the runtime's scrape targets", async () => {
      const groups = (await (
        await fetch(`${platformUrl()}${SCRAPE_TARGETS_PATH}`)
      ).json()) as ScrapeTargetGroup[];
      return groups.find((group) => group.labels.service === "events")?.targets[0];
    });
    const status = (await (await fetch(`${platformUrl()}/`)).json()) as {
      services: { name: string; url: string }[];
    };
    const service = status.services.find((s) => s.name === "events");
    expect(service).toBeDefined();
    // The process's own port: a scrape through the Service's would keep it from scaling to zero.
    expect(`http://${target}`).not.toBe(service?.url);

    const scraped = await until(
      "a successful scrape of the events instance",
      async () =>
        (await query(`up{job="functions",service="events"}`)).find(
          (sample) => sample.metric.instance === target && sample.value === "1",
        ),
      60_000,
      500,
    );
    expect(scraped.metric).toMatchObject({ job: "functions", service: "events" });
  });
});

describe("the platform's metrics, read back from VictoriaMetrics", () => {
  it("has every HTTP function's request histogram and every KafkaSource's consumer lag", async () => {
    const status = (await (await fetch(`${platformUrl()}/`)).json()) as {
      services: { name: string; url: string }[];
      kafkaSources: { name: string }[];
    };
    // gRPC servers have no HTTP port to be scraped on.
    const grpc = new Set(
      topology(loadManifests([join(repoRoot, "knative")]))
        .services.filter((service) => service.env.GRPC_SOURCE)
        .map((service) => service.name),
    );
    const http = status.services.filter((s) => !grpc.has(s.name));
    expect(http.length).toBeGreaterThan(10);
    // One request each (woken if scaled to zero): a path nobody serves is measured all the same.
    for (const service of http) await (await fetch(`${service.url}/metrics-probe`)).arrayBuffer();

    const serviceOf = (samples: { metric: Record<string, string> }[], label: string) =>
      new Set(samples.map((sample) => sample.metric[label]));
    const histograms = await until(
      "a request histogram of every HTTP function",
      async () => {
        const found = serviceOf(
          await query("count by (service) (http_server_request_duration_seconds_bucket)"),
          "service",
        );
        return http.every((s) => found.has(s.name)) ? found : undefined;
      },
      60_000,
      1000,
    );
    expect(histograms.size).toBeGreaterThanOrEqual(http.length);

    const lagging = await until(
      "the consumer lag of every KafkaSource",
      async () => {
        const found = serviceOf(await query('kafka_consumer_lag{job="eventing"}'), "source");
        return status.kafkaSources.every((k) => found.has(k.name)) ? found : undefined;
      },
      60_000,
      1000,
    );
    expect(lagging.size).toBe(status.kafkaSources.length);
  });
});

describe("traces (Jaeger)", () => {
  it("takes an OTLP/HTTP span and returns it from its query API", async () => {
    const traceId = randomBytes(16).toString("hex");
    const spanId = randomBytes(8).toString("hex");
    const start = BigInt(Date.now()) * 1_000_000n;
    // ExportTraceServiceRequest in OTLP's JSON encoding (ids in hex, times as strings).
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: "service.name", value: { stringValue: "observability-test" } }],
          },
          scopeSpans: [
            {
              scope: { name: "local/test/observability.test.ts" },
              spans: [
                {
                  traceId,
                  spanId,
                  name: "GET /api/events",
                  kind: 2,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 12_000_000n),
                  attributes: [{ key: "http.response.status_code", value: { intValue: "200" } }],
                  status: {},
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await fetch(`${otlpEndpoint()}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(sent.status).toBe(200);

    type Trace = {
      traceID: string;
      spans: { spanID: string; operationName: string; duration: number; processID: string }[];
      processes: Record<string, { serviceName: string }>;
    };
    const trace = await until("the span in Jaeger", async () => {
      const response = await fetch(`${jaegerUrl()}/api/traces/${traceId}`);
      if (response.status === 404) return undefined;
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: Trace[] }).data[0];
    });
    expect(trace.traceID).toBe(traceId);
    expect(trace.spans).toHaveLength(1);
    const [span] = trace.spans;
    expect(span).toMatchObject({
      spanID: spanId,
      operationName: "GET /api/events",
      duration: 12_000,
    });
    expect(trace.processes[span?.processID ?? ""]?.serviceName).toBe("observability-test");
  });
});
