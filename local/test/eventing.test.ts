// End to end through the real edge, ingress, Kafka and local eventing: CloudEvents posted to
// http://127.0.0.1:8080/ce reach a function that a KafkaSource (fixtures/knative/probe.yaml)
// subscribes to the diagnostics topic; retries and the dead-letter topic behave as Knative's.
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CloudEventV1,
  fromKafkaMessage,
  serviceUrls,
  toHttpBinary,
  toHttpStructured,
  toKafkaMessage,
} from "@stream-platform/shared";
import { createKafka, ensureTopics } from "@stream-platform/shared/kafka";
import { ingressToken } from "@stream-platform/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifests } from "../src/eventing/manifests.ts";
import { PingSourceTimer } from "../src/eventing/ping-source.ts";
import { type Runtime, startRuntime } from "../src/eventing/runtime.ts";
import { topology } from "../src/eventing/topology.ts";
import { logDir, repoRoot } from "../src/paths.ts";
import { uniqueName } from "./names.ts";

interface Delivery {
  id: string;
  type: string;
  source: string;
  subject: string;
  data: unknown;
  traceparent?: string;
  attempt: number;
  ok: boolean;
  sink: string;
  started: number;
  ended: number;
}

const dir = mkdtempSync(join(tmpdir(), "probe-"));
const probeLog = join(dir, "deliveries.jsonl");
const batchLog = join(dir, "batch-deliveries.jsonl");
let runtime: Runtime;
let stopped = false;

/** What the probe Service `sink` received (probe-sink: the ordered source's). */
function deliveries(sink = "probe-sink"): Delivery[] {
  if (!existsSync(probeLog)) return [];
  return readFileSync(probeLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Delivery)
    .filter((d) => d.sink === sink);
}

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function ping(subject: string, note?: string): CloudEventV1 {
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "/tests/eventing",
    type: "streamplatform.diagnostic.ping",
    subject,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: note === undefined ? {} : { note },
    extensions: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  };
}

// Diagnostic pings need the platform's ingress token (only heartbeats are public).
const auth = () => ({ authorization: `Bearer ${ingressToken()}` });

async function postBinary(event: CloudEventV1): Promise<Response> {
  const { headers, body } = toHttpBinary(event);
  return fetch(`${serviceUrls().edgeUrl}/ce`, {
    method: "POST",
    headers: { ...headers, ...auth() },
    body,
  });
}

async function postStructured(body: unknown): Promise<Response> {
  return fetch(`${serviceUrls().edgeUrl}/ce`, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", ...auth() },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Waits until `marker` (same subject, so same partition, sent last) reached the sink. */
async function settled(subject: string): Promise<void> {
  const marker = ping(subject);
  expect((await postBinary(marker)).status).toBe(202);
  await until("the marker event", () => deliveries().find((d) => d.id === marker.id && d.ok));
}

beforeAll(async () => {
  process.env.PROBE_LOG = probeLog;
  process.env.PROBE_BATCH_LOG = batchLog;
  // The probe's consumer group starts from now: what earlier runs (or benchmarks) left on the
  // diagnostics topic is not this run's business.
  await ensureTopics(createKafka("eventing-test"), ["diagnostics"]);
  const admin = createKafka("eventing-test").admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets("diagnostics");
  for (const groupId of [
    "local-test-probe",
    "local-test-probe-batch",
    "local-test-probe-unordered",
  ])
    await admin.setOffsets({
      groupId,
      topic: "diagnostics",
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.offset })),
    });
  await admin.disconnect();
  runtime = await startRuntime({
    dirs: [join(repoRoot, "local", "test", "fixtures", "knative")],
    basePort: 18100,
    statusPort: 0,
    logDir: join(logDir, "test"),
    log: () => undefined,
  });
});

afterAll(async () => {
  if (!stopped) await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("local eventing from knative/ manifests", () => {
  it("delivers a binary-mode CloudEvent posted to the edge to the subscribed function, unchanged", async () => {
    const event = ping(uniqueName("deliver"), "hello");
    const response = await postBinary(event);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1, ids: [event.id] });
    const delivered = await until("the delivery", () =>
      deliveries().find((d) => d.id === event.id),
    );
    expect(delivered).toMatchObject({
      id: event.id,
      type: event.type,
      source: event.source,
      subject: event.subject,
      data: event.data,
      traceparent: event.extensions.traceparent,
      attempt: 1,
      ok: true,
    });
  });

  it("accepts structured mode and batches", async () => {
    const subject = uniqueName("modes");
    const one = ping(subject);
    const two = ping(subject);
    const three = ping(subject);
    const structured = toHttpStructured(one);
    expect(
      (
        await fetch(`${serviceUrls().edgeUrl}/ce`, {
          method: "POST",
          headers: { ...structured.headers, ...auth() },
          body: structured.body,
        })
      ).status,
    ).toBe(202);
    const batch = await fetch(`${serviceUrls().edgeUrl}/ce`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json", ...auth() },
      body: JSON.stringify([two, three].map((e) => JSON.parse(toHttpStructured(e).body))),
    });
    expect(batch.status).toBe(202);
    await settled(subject);
    const ids = deliveries()
      .filter((d) => d.subject === subject)
      .map((d) => d.id);
    // One partition per subject: delivered in the order they were sent.
    expect(ids.slice(0, 3)).toEqual([one.id, two.id, three.id]);
  });

  it("retries a sink that fails twice: three deliveries and no more", async () => {
    const subject = uniqueName("retry");
    const event = ping(subject, "fail-twice");
    expect((await postBinary(event)).status).toBe(202);
    await settled(subject);
    const attempts = deliveries().filter((d) => d.id === event.id);
    expect(attempts.map((d) => [d.attempt, d.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });

  it("dead-letters an event its sink always refuses, and later events still flow", async () => {
    const subject = uniqueName("dead");
    const event = ping(subject, "fail-always");
    expect((await postBinary(event)).status).toBe(202);
    await settled(subject);
    expect(deliveries().filter((d) => d.id === event.id)).toHaveLength(3); // 1 + delivery.retry

    const consumer = createKafka("eventing-test").consumer({
      groupId: uniqueName("dlq-reader"),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: "probe-dead-letter", fromBeginning: true });
    const dead = await new Promise<CloudEventV1>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the event never reached the dead-letter topic")),
        15_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const parsed = fromKafkaMessage(message);
          if (parsed.ok && parsed.value.id === event.id) {
            clearTimeout(timer);
            resolve(parsed.value);
          }
        },
      });
    });
    await consumer.disconnect();
    expect(dead).toMatchObject({
      id: event.id,
      type: event.type,
      subject,
      data: { note: "fail-always" },
    });
    expect(dead.extensions.knativeerrorcode).toBe("500");
    expect(dead.extensions.knativeerrordest).toContain("127.0.0.1:18100");
  });
});

describe("delivery order (spec.ordering)", () => {
  /** Records written straight to one partition of the diagnostics topic, each slow to handle. */
  async function slowRecordsOnOnePartition(count: number): Promise<CloudEventV1[]> {
    const events = Array.from({ length: count }, (_, i) => ping(uniqueName(`order${i}`), "slow"));
    const producer = createKafka("eventing-test").producer();
    await producer.connect();
    await producer.send({
      topic: "diagnostics",
      messages: events.map((event) => ({ ...toKafkaMessage(event), partition: 0 })),
    });
    await producer.disconnect();
    return events;
  }

  const received = (sink: string, events: CloudEventV1[]) =>
    until(`${events.length} deliveries to ${sink}`, () => {
      const ids = new Set(events.map((e) => e.id));
      const got = deliveries(sink).filter((d) => ids.has(d.id));
      return got.length >= events.length ? got : undefined;
    });

  it("ordered (the default): one record of a partition at a time, in offset order, whatever its key", async () => {
    const events = await slowRecordsOnOnePartition(6);
    const got = await received("probe-sink", events);
    expect(got.map((d) => d.id)).toEqual(events.map((e) => e.id));
    for (let i = 1; i < got.length; i++)
      expect(got[i]?.started).toBeGreaterThanOrEqual(got[i - 1]?.ended ?? Infinity);
  });

  it("unordered: a partition's records side by side", async () => {
    const events = await slowRecordsOnOnePartition(6);
    const got = (await received("probe-sink-unordered", events)).sort(
      (a, b) => a.started - b.started,
    );
    const overlapping = got.some((d, i) => i > 0 && d.started < (got[i - 1]?.ended ?? 0));
    expect(overlapping).toBe(true);
  });

  it("wraps a record that is not a CloudEvent as Knative does (dev.knative.kafka.event)", async () => {
    const note = uniqueName("raw");
    const producer = createKafka("eventing-test").producer();
    await producer.connect();
    const [meta] = await producer.send({
      topic: "diagnostics",
      messages: [
        {
          partition: 1,
          key: "plain-key",
          value: JSON.stringify({ note }),
          headers: { "content-type": "application/json" },
        },
      ],
    });
    await producer.disconnect();
    const offset = meta?.baseOffset;
    const wrapped = await until("the wrapped record", () =>
      deliveries().find((d) => (d.data as { note?: string } | undefined)?.note === note),
    );
    expect(wrapped).toMatchObject({
      id: `partition:1/offset:${offset}`,
      type: "dev.knative.kafka.event",
      source: "/apis/v1/namespaces/default/kafkasources/probe-source#diagnostics",
      subject: `partition:1#${offset}`,
      data: { note },
      ok: true,
    });
  });
});

describe("batch delivery (streamplatform.dev/delivery-batch-size)", () => {
  it("posts records in batches, in order; a refused batch goes one event at a time", async () => {
    const subject = uniqueName("batch");
    const events = Array.from({ length: 30 }, (_, i) =>
      ping(subject, i === 12 ? "fail-batch" : `n${i}`),
    );
    const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json", ...auth() },
      body: JSON.stringify(events.map((e) => JSON.parse(toHttpStructured(e).body))),
    });
    expect(response.status).toBe(202);
    const received = await until("all 30 in the batch sink", () => {
      if (!existsSync(batchLog)) return undefined;
      const lines = readFileSync(batchLog, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { id: string; subject: string; size: number })
        .filter((d) => d.subject === subject);
      return lines.length >= 30 ? lines : undefined;
    });
    expect(received.map((d) => d.id)).toEqual(events.map((e) => e.id));
    // Several to a request, never above the annotation's 10; the refused batch, one by one.
    expect(Math.max(...received.map((d) => d.size))).toBeGreaterThan(1);
    expect(Math.max(...received.map((d) => d.size))).toBeLessThanOrEqual(10);
    expect(received.find((d) => d.id === events[12]?.id)?.size).toBe(1);
  });
});

describe("PingSource", () => {
  it("posts a dev.knative.sources.ping event with the source's data to its sink", async () => {
    const manifests = loadManifests([join(repoRoot, "local", "test", "fixtures", "knative")]);
    const source = manifests.pingSources.find((p) => p.metadata.name === "probe-ping");
    if (!source) throw new Error("fixture PingSource missing");
    const layout = topology(manifests, 18100);
    const sink = layout.resolve(source.spec.sink);
    expect(sink).toEqual({ kind: "http", url: "http://127.0.0.1:18100/" });
    const before = deliveries().length;
    await new PingSourceTimer(source, layout, () => undefined).fire("http://127.0.0.1:18100/");
    const tick = await until("the ping", () =>
      deliveries()
        .slice(before)
        .find((d) => d.type === "dev.knative.sources.ping"),
    );
    expect(tick).toMatchObject({
      source: "/apis/v1/namespaces/default/pingsources/probe-ping",
      data: { note: "tick" },
      ok: true,
    });
  });
});

describe("the /ce ingress refuses invalid CloudEvents, and none reaches Kafka", () => {
  const subject = uniqueName("invalid");
  const valid = () => toHttpBinary(ping(subject));
  function withHeader(header: string, value: string) {
    const { headers, body } = valid();
    return { headers: { ...headers, [header]: value }, body };
  }

  function without(header: string) {
    const { headers, body } = valid();
    const { [header]: _, ...rest } = headers;
    return { headers: rest, body };
  }

  const cases: [string, number, () => { headers: Record<string, string>; body: unknown }][] = [
    ["missing id", 400, () => without("ce-id")],
    ["missing source", 400, () => without("ce-source")],
    ["missing type", 400, () => without("ce-type")],
    ["missing specversion", 415, () => without("ce-specversion")],
    ["unknown specversion", 400, () => withHeader("ce-specversion", "0.3")],
    ["unknown type", 400, () => withHeader("ce-type", "streamplatform.nothing.happened")],
    ["data that fails its schema", 400, () => ({ ...valid(), body: JSON.stringify({ note: 42 }) })],
    ["malformed JSON", 400, () => ({ ...valid(), body: "{not json" })],
  ];

  it.each(cases)("%s → %i with problem+json", async (_, status, make) => {
    const request = make();
    const response = await fetch(`${serviceUrls().edgeUrl}/ce`, {
      method: "POST",
      headers: { ...request.headers, ...auth() },
      body: request.body as string,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { status: number; detail: string };
    expect(problem.status).toBe(status);
  });

  it("refuses the conformance suite's invalid events, put around a known type", async () => {
    const vectors = JSON.parse(
      readFileSync(
        join(repoRoot, "shared", "test", "conformance", "cloudevents-json", "invalid-events.json"),
        "utf8",
      ),
    ) as { tests: { id: string; event: Record<string, unknown> }[] };
    for (const vector of vectors.tests) {
      const event = { ...vector.event, subject: subject, data: {} } as Record<string, unknown>;
      if (event.type === "io.cloudevents.test") event.type = "streamplatform.diagnostic.ping";
      if ("subject" in vector.event) event.subject = vector.event.subject;
      if ("data_base64" in vector.event) delete event.data;
      if ("data" in vector.event) event.data = vector.event.data;
      const response = await postStructured(event);
      expect(response.status, vector.id).toBe(400);
    }
  });

  it("an oversized event gets 413", async () => {
    const event = { ...ping(subject), data: { note: "x".repeat(1_500_000) } };
    const response = await postStructured(toHttpStructured(event).body);
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("nothing refused was written: only the marker reaches the sink", async () => {
    await settled(subject);
    const delivered = deliveries().filter((d) => d.subject === subject);
    expect(delivered).toHaveLength(1);
  });
});

// Last: it stops the runtime.
describe("committed offsets", () => {
  /** The probe source's committed offset of the partition a record went to. */
  async function committed(partition: number): Promise<bigint> {
    const admin = createKafka("eventing-test").admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({
        groupId: "local-test-probe",
        topics: ["diagnostics"],
      });
      return BigInt(topic?.partitions.find((p) => p.partition === partition)?.offset ?? "-1");
    } finally {
      await admin.disconnect();
    }
  }

  /** A ping produced straight to Kafka (its partition and offset known), once delivered. */
  async function delivered(): Promise<{ partition: number; offset: bigint }> {
    const event = ping(uniqueName("commit"));
    const producer = createKafka("eventing-test").producer();
    await producer.connect();
    const [meta] = await producer.send({
      topic: "diagnostics",
      messages: [{ ...toKafkaMessage(event), partition: 2 }],
    });
    await producer.disconnect();
    await until("the ping", () => deliveries().find((d) => d.id === event.id && d.ok));
    return { partition: meta?.partition ?? 2, offset: BigInt(meta?.baseOffset ?? "0") };
  }

  it("are committed a moment after delivery, and by a dispatcher that stops", async () => {
    const first = await delivered();
    await until("the commit", async () =>
      (await committed(first.partition)) > first.offset ? true : undefined,
    );
    // Stopped right after a delivery, before the next periodic commit is due (or just after).
    const last = await delivered();
    await runtime.stop();
    stopped = true;
    expect(await committed(last.partition)).toBe(last.offset + 1n);
  });
});
