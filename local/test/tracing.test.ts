// One trace through the platform: a CloudEvent posted to the edge's /ce is traced from the
// ingress's request (the caller's traceparent, which the edge passes on), through Kafka (the
// KafkaSource's delivery) to the sink that handles it and that sink's database calls, every span
// exported by its own process to the local trace store (Jaeger) and found there by trace id.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createEvent, serviceUrls, toHttpBinary } from "@stream-platform/shared";
import { api, ingressToken, newChannel, newUser, until } from "@stream-platform/shared/testing";
import { describe, expect, it } from "vitest";
import { logDir } from "../src/paths.ts";
import { jaegerUrl } from "../src/servers/jaeger.ts";

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function trace(traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${jaegerUrl()}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: JaegerTrace[] }).data[0];
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

describe("tracing", () => {
  it("follows a CloudEvent from the edge through Kafka to its sink's database call, in one trace", async () => {
    const owner = await newUser("traced");
    const channel = await newChannel(owner);
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.id,
        title: "Traced event",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);

    // Without a traceparent of the caller's, the edge starts the trace (one in ten sampled): its
    // id is the request's, in the edge's access log.
    const unsampled = await fetch(`${serviceUrls().edgeUrl}/api/events?limit=1`);
    expect(unsampled.status).toBe(200);
    const edgeTrace = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(
      unsampled.headers.get("traceresponse") ?? "",
    )?.[1];
    expect(edgeTrace).toBeDefined();
    await until("the request in the edge's access log", async () =>
      readFileSync(join(logDir, "edge-access.log"), "utf8").includes(`00-${edgeTrace}-`)
        ? true
        : undefined,
    );

    // A caller that wants its request traced says so (flag 01).
    const caller = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
    const started = createEvent({
      type: "streamplatform.stream.started",
      source: "/tests/tracing",
      subject: channel.id,
      data: {
        streamId: `str_${randomUUID()}`,
        channelId: channel.id,
        eventId: event.body.id,
        startedAt: new Date().toISOString(),
      },
    });
    const { headers, body } = toHttpBinary(started);
    const answer = await fetch(`${serviceUrls().edgeUrl}/ce`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${ingressToken()}`, traceparent: caller },
      body,
    });
    expect(answer.status).toBe(202);
    // The answer names its trace (W3C traceresponse).
    const traceId = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(
      answer.headers.get("traceresponse") ?? "",
    )?.[1];
    expect(traceId).toBe(caller.slice(3, 35));

    const services = (t: JaegerTrace, span: JaegerSpan) => t.processes[span.processID]?.serviceName;
    const found = await until(
      "the sink's database call in the ingress's trace",
      async () => {
        const t = await trace(traceId as string);
        const handled = t?.spans.find(
          (s) =>
            s.operationName === "process streamplatform.stream.started" &&
            services(t, s) === "events-lifecycle",
        );
        const query = handled
          ? t?.spans.find(
              (s) =>
                tag(s, "db.system.name") === "mongodb" &&
                s.references.some((r) => r.spanID === handled.spanID),
            )
          : undefined;
        return t && handled && query ? { t, handled, query } : undefined;
      },
      60_000,
      500,
    );
    const { t, handled } = found;
    const byId = new Map(t.spans.map((s) => [s.spanID, s]));
    const parentOf = (span: JaegerSpan) =>
      byId.get(span.references.find((r) => r.refType === "CHILD_OF")?.spanID ?? "");

    // The ingress's request, as the edge passed it on.
    const ingress = t.spans.find(
      (s) => services(t, s) === "ingress" && s.operationName === "POST /ce",
    );
    expect(ingress).toBeDefined();
    expect(tag(ingress as JaegerSpan, "http.response.status_code")).toBe(202);
    // The event carries the ingress's span; handling it is that span's child.
    expect(parentOf(handled)?.spanID).toBe(ingress?.spanID);
    // Kafka's hop: the KafkaSource's delivery to the sink, whose request is its child.
    const delivery = t.spans.find(
      (s) => services(t, s) === "eventing" && s.operationName === "deliver events-lifecycle",
    );
    expect(delivery).toBeDefined();
    expect(tag(delivery as JaegerSpan, "messaging.system")).toBe("kafka");
    expect(parentOf(delivery as JaegerSpan)?.spanID).toBe(ingress?.spanID);
    const sinkRequest = t.spans.find(
      (s) => services(t, s) === "events-lifecycle" && s.operationName === "POST cloudevents",
    );
    expect(parentOf(sinkRequest as JaegerSpan)?.spanID).toBe(delivery?.spanID);
  });
});
