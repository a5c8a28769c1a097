import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  createEvent,
  eventsFromHttp,
  fromKafkaMessage,
  requestBody,
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

describe("JSON data however the producer labels it", () => {
  const attributes = {
    "ce-specversion": "1.0",
    "ce-id": "json-1",
    "ce-source": "/tests",
    "ce-type": "streamplatform.diagnostic.ping",
    "ce-subject": "probe-1",
  };
  const body = Buffer.from('{"note":"hi"}');

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "text/json",
    "application/vnd.example+json",
  ])("reads binary-mode data of %s as JSON", (contentType) => {
    const parsed = eventsFromHttp({ ...attributes, "content-type": contentType }, body);
    expect(parsed.ok && validatePlatformEvent(parsed.value[0] as never).ok).toBe(true);
    expect(parsed.ok && parsed.value[0]?.data).toEqual({ note: "hi" });
  });

  it("reads binary-mode data without a Content-Type as JSON (no datacontenttype)", () => {
    const parsed = eventsFromHttp(attributes, body);
    expect(parsed.ok && parsed.value[0]?.data).toEqual({ note: "hi" });
    expect(parsed.ok && parsed.value[0]?.datacontenttype).toBeUndefined();
  });

  it("says an event has no data, not that the schema compared undefined", () => {
    const parsed = eventsFromHttp(attributes, Buffer.alloc(0));
    const checked = parsed.ok && validatePlatformEvent(parsed.value[0] as never);
    expect(checked && !checked.ok && checked.problems).toEqual([
      { field: "data", detail: expect.stringMatching(/has no data .*needs a JSON object/) },
    ]);
  });

  it("names datacontenttype when the data is not JSON", () => {
    const parsed = eventsFromHttp({ ...attributes, "content-type": "text/plain" }, body);
    const checked = parsed.ok && validatePlatformEvent(parsed.value[0] as never);
    expect(checked && !checked.ok && checked.problems.map((p) => p.field)).toEqual([
      "datacontenttype",
    ]);
  });
});

describe("requestBody", () => {
  it("reads the body the framework's parsers left unread (no Content-Type)", async () => {
    const req = Readable.from([Buffer.from('{"note":'), Buffer.from('"hi"}')]);
    expect(String(await requestBody(req as never))).toBe('{"note":"hi"}');
  });

  it("keeps the bytes the framework already read", async () => {
    const req = Object.assign(Readable.from([]), { rawBody: Buffer.from("kept") });
    expect(String(await requestBody(req as never))).toBe("kept");
  });

  it("refuses more than the limit with a 413", async () => {
    const req = Readable.from([Buffer.alloc(10), Buffer.alloc(10)]);
    await expect(requestBody(req as never, 15)).rejects.toMatchObject({
      problem: { status: 413 },
    });
  });
});
