// The project's CloudEvents bindings against the official JavaScript SDK (`cloudevents`): what the
// SDK emits, ours reads as the same event; and the cases where the SDK's own parsing and emitting
// break the spec, which are why the bindings stay the project's own (docs/architecture.md,
// "Bindings"). If an SDK upgrade fixes them, the last block fails: then reconsider.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudEvent, HTTP, Kafka } from "cloudevents";
import { describe, expect, it } from "vitest";
import {
  createEvent,
  eventsFromHttp,
  fromKafkaMessage,
  parseCloudEvent,
  toHttpBinary,
} from "../src/cloudevents/index.ts";

const vectors = join(dirname(fileURLToPath(import.meta.url)), "conformance", "cloudevents-json");
const load = (file: string) =>
  (
    JSON.parse(readFileSync(join(vectors, file), "utf8")) as {
      tests: { id: string; event: unknown }[];
    }
  ).tests;

const ping = () =>
  createEvent({
    type: "streamplatform.diagnostic.ping",
    source: "/tests",
    subject: "probe-1",
    data: { note: "from the JS SDK" },
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  });

/** The same event as the SDK's class (extensions are top-level attributes there). */
function sdkEvent(event: ReturnType<typeof ping>): CloudEvent<unknown> {
  const { extensions, ...attributes } = event;
  return new CloudEvent({ ...attributes, ...extensions });
}

describe("what the JS SDK emits, our bindings read", () => {
  it("HTTP binary and structured mode", () => {
    const event = ping();
    for (const message of [HTTP.binary(sdkEvent(event)), HTTP.structured(sdkEvent(event))]) {
      const parsed = eventsFromHttp(message.headers, Buffer.from(message.body as string));
      expect(parsed.ok && parsed.value[0]).toMatchObject({
        id: event.id,
        type: event.type,
        subject: event.subject,
        time: event.time,
        data: event.data,
        extensions: event.extensions,
      });
    }
  });

  it("Kafka binary mode (the value serialized, as a producer must before sending)", () => {
    const event = ping();
    const message = Kafka.binary(sdkEvent(event));
    const headers: Record<string, Buffer> = {};
    for (const [name, value] of Object.entries(message.headers))
      if (value !== undefined) headers[name] = Buffer.from(String(value));
    const parsed = fromKafkaMessage({ headers, value: Buffer.from(JSON.stringify(message.value)) });
    expect(parsed).toEqual({ ok: true, value: event });
  });
});

describe("where the JS SDK breaks the spec (so the bindings stay ours)", () => {
  it("its parser accepts invalid conformance vectors, inventing id, time and specversion", () => {
    const accepted = load("invalid-events.json")
      .filter((vector) => {
        try {
          const event = HTTP.toEvent({
            headers: { "content-type": "application/cloudevents+json" },
            body: JSON.stringify(vector.event),
          }) as CloudEvent<unknown>;
          event.validate();
          return true;
        } catch {
          return false;
        }
      })
      .map((vector) => vector.id);
    expect(accepted).toEqual([
      "invalidNoSpecVersion",
      "invalidNoId",
      "invalidTimeGarbage",
      "invalidTimeToMinute",
      "invalidTimeOffsetX",
      "invalidTimeOffsetOutOfRange",
      "invalidTimeOffsetNonInteger",
      "invalidTimeOffsetHourOnly",
      "invalidEmptyId",
      "invalidEmptySpecVersion",
      "invalidUnknownSpecVersion",
      "invalidNonRfc2046DataContentType",
      "invalidEmptyDataContentType",
      "invalidEmptyDataSchema",
      "invalidEmptySubject",
      "invalidBothDataAndDataBase64",
    ]);
    // Ours refuses every one (and the rest of the file: conformance.test.ts).
    for (const id of accepted) {
      const vector = load("invalid-events.json").find((v) => v.id === id);
      expect(parseCloudEvent(vector?.event).ok).toBe(false);
    }
  });

  it("its emitter cuts a valid time to milliseconds; ours sends it as it is", () => {
    const vector = load("valid-events.json").find(
      (v) => v.id === "validMinimalWithTimeToNanosecondsUtc",
    )?.event as { time: string };
    expect(HTTP.binary(new CloudEvent(vector)).headers["ce-time"]).not.toBe(vector.time);
    const parsed = parseCloudEvent(vector);
    expect(parsed.ok && toHttpBinary(parsed.value).headers["ce-time"]).toBe(vector.time);
  });

  it("its binary mode does not percent-encode headers, so a non-Latin-1 subject cannot be sent", () => {
    const event = { ...ping(), subject: "prix 5 €" };
    const sdk = HTTP.binary(sdkEvent(event));
    expect(sdk.headers["ce-subject"]).toBe("prix 5 €");
    expect(() => new Headers(sdk.headers as Record<string, string>)).toThrow(TypeError);
    const ours = toHttpBinary(event);
    expect(ours.headers["ce-subject"]).toBe("prix 5 %E2%82%AC");
    expect(() => new Headers(ours.headers)).not.toThrow();
    expect(eventsFromHttp(ours.headers, ours.body as Buffer)).toEqual({ ok: true, value: [event] });
  });
});
