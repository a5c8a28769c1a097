// Spans started before the OpenTelemetry SDK loads (a function host loads it after its first
// answer) are exported once it has, as if it had recorded them: the same ids, parents, times,
// names, attributes and failures; those the SDK would not sample are not.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { earlySpans } from "../../src/observability/early-spans.ts";
import { otelTracing } from "../../src/observability/otel-recorder.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
}

const received: OtlpSpan[] = [];
let server: Server;
const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const json = JSON.parse(body) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const resource of json.resourceSpans)
        for (const scope of resource.scopeSpans) received.push(...scope.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
});

describe("spans started before the SDK loads", () => {
  it("are exported by it with their ids, parents, times and outcome; unsampled ones are not", async () => {
    const early = earlySpans();
    const request = early.recorder.start("GET", "server", undefined, { "url.path": "/x" });
    const query = early.recorder.start("find", "client", request.context, {});
    query.fail("timed out");
    query.end();
    const unsampled = early.recorder.start(
      "GET",
      "server",
      {
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        sampled: false,
      },
      {},
    );
    expect(unsampled.context.sampled).toBe(false);
    unsampled.end();

    const tracing = otelTracing("early-test");
    early.adoptAll(tracing.adopt);
    // Still open when the SDK took over: it carries on there.
    request.setName("GET /x");
    request.setAttributes({ "http.response.status_code": 200 });
    request.end();
    await tracing.flush();

    expect(received.map((span) => span.name).sort()).toEqual(["GET /x", "find"]);
    const exported = (name: string) => received.find((span) => span.name === name) as OtlpSpan;
    const root = exported("GET /x");
    const child = exported("find");
    expect(root).toMatchObject({
      traceId: request.context.traceId,
      spanId: request.context.spanId,
    });
    expect(root.parentSpanId || undefined).toBeUndefined();
    expect(root.attributes.map((a) => a.key).sort()).toEqual([
      "http.response.status_code",
      "url.path",
    ]);
    expect(child).toMatchObject({
      traceId: request.context.traceId,
      spanId: query.context.spanId,
      parentSpanId: request.context.spanId,
      status: { code: 2, message: "timed out" },
    });
    // Their own times: the query inside the request, both before the SDK was there.
    const ns = (value: string) => BigInt(value);
    expect(ns(child.startTimeUnixNano)).toBeGreaterThanOrEqual(ns(root.startTimeUnixNano));
    expect(ns(child.endTimeUnixNano)).toBeLessThanOrEqual(ns(root.endTimeUnixNano));
    expect(ns(child.endTimeUnixNano)).toBeGreaterThanOrEqual(ns(child.startTimeUnixNano));
  });
});
