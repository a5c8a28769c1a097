import { describe, expect, it } from "vitest";
import {
  createEvent,
  eventsFromHttp,
  fromKafkaMessage,
  toHttpBinary,
  toHttpStructured,
  toKafkaMessage,
  UnsupportedContentType,
  validatePlatformEvent,
} from "../src/cloudevents/index.ts";

const ping = () =>
  createEvent({
    type: "streamplatform.diagnostic.ping",
    source: "/tests",
    subject: "probe-1",
    data: { note: 'héllo, "world" 100%' },
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  });

describe("Kafka binding (binary mode)", () => {
  it("puts attributes in ce_ headers, the subject in the key and the data in the value", () => {
    const event = ping();
    const message = toKafkaMessage(event);
    expect(message.key).toBe("probe-1");
    expect(message.headers).toMatchObject({
      ce_specversion: "1.0",
      ce_id: event.id,
      ce_type: "streamplatform.diagnostic.ping",
      ce_source: "/tests",
      ce_subject: "probe-1",
      ce_traceparent: event.extensions.traceparent,
      "content-type": "application/json",
    });
    expect(JSON.parse(String(message.value))).toEqual(event.data);
  });

  it("reads a record back into the same event", () => {
    const event = ping();
    const message = toKafkaMessage(event);
    const headers = Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]),
    );
    const parsed = fromKafkaMessage({ headers, value: message.value as Buffer });
    expect(parsed).toEqual({ ok: true, value: event });
  });

  it("reports data that is not JSON", () => {
    const parsed = fromKafkaMessage({
      headers: {
        ce_specversion: "1.0",
        ce_id: "x",
        ce_source: "/t",
        ce_type: "t",
        "content-type": "application/json",
      },
      value: Buffer.from("{not json"),
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems[0]?.field).toBe("data");
  });
});

describe("HTTP binding", () => {
  it("round-trips binary mode, percent-encoding what headers cannot carry", () => {
    const event = { ...ping(), subject: 'sübject "quoted"' };
    const { headers, body } = toHttpBinary(event);
    expect(headers["ce-subject"]).not.toContain("ü");
    const parsed = eventsFromHttp(headers, body as Buffer);
    expect(parsed).toEqual({ ok: true, value: [event] });
  });

  it("round-trips structured mode", () => {
    const event = ping();
    const { headers, body } = toHttpStructured(event);
    expect(eventsFromHttp(headers, Buffer.from(body))).toEqual({ ok: true, value: [event] });
  });

  it("refuses a body in no CloudEvents mode", () => {
    expect(() => eventsFromHttp({ "content-type": "application/json" }, Buffer.from("{}"))).toThrow(
      UnsupportedContentType,
    );
  });

  it("names malformed JSON", () => {
    const parsed = eventsFromHttp(
      { "content-type": "application/cloudevents+json" },
      Buffer.from("{"),
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems[0]?.detail).toMatch(/malformed JSON/);
  });
});

describe("platform events", () => {
  it("refuses an unknown type, a missing subject and data that fails its schema", () => {
    const base = ping();
    const unknown = validatePlatformEvent({ ...base, type: "streamplatform.nope.happened" });
    expect(!unknown.ok && unknown.problems.map((p) => p.field)).toEqual(["type"]);
    const { subject: _, ...noSubject } = base;
    const missing = validatePlatformEvent(noSubject);
    expect(!missing.ok && missing.problems.map((p) => p.field)).toEqual(["subject"]);
    const badData = validatePlatformEvent({
      ...base,
      type: "streamplatform.stream.started",
      data: { streamId: "s" },
    });
    expect(!badData.ok && badData.problems.map((p) => p.field).sort()).toEqual([
      "data.channelId",
      "data.startedAt",
    ]);
  });
});
