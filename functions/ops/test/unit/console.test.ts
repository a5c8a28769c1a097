// The console's shaping of the metrics server's answers, and a dead letter's key and replay.
import type { CloudEventV1 } from "@stream-platform/shared";
import { describe, expect, it } from "vitest";
import {
  chartPanel,
  functionRows,
  lagRows,
  seriesName,
  stepFor,
  streamRows,
} from "../../src/console.ts";
import { deadLetterKeyOf, originalEvent } from "../../src/store.ts";
import { toSpans } from "../../src/trace-store.ts";

const sample = (labels: Record<string, string>, value: number) => ({ labels, value });

describe("the console's figures", () => {
  it("lists every service seen in the hour, scaled to zero when none runs now", () => {
    const rows = functionRows({
      seen: [sample({ service: "search" }, 1), sample({ service: "events" }, 2)],
      instances: [sample({ service: "events" }, 2)],
      requestsPerSecond: [sample({ service: "events" }, 3.5)],
      errorRatio: [sample({ service: "events" }, Number.NaN)],
      p99Seconds: [sample({ service: "events" }, 0.012)],
    });
    expect(rows).toEqual([
      { service: "events", requestsPerSecond: 3.5, errorRatio: 0, p99Seconds: 0.012, instances: 2 },
      { service: "search", requestsPerSecond: 0, errorRatio: 0, p99Seconds: null, instances: 0 },
    ]);
  });

  it("gathers a stream's gauges into one row", () => {
    const stream = { channel: "c1", event: "e1" };
    const rows = streamRows({
      signal: [sample(stream, 1)],
      inputKbps: [sample(stream, 1800)],
      fps: [sample(stream, 30)],
      encoderSpeed: [sample(stream, 1.01)],
      droppedFrames: [],
      restarts: [sample(stream, 0)],
      viewers: [sample({ event: "e1" }, 12), sample({ event: "recording" }, 3)],
    });
    expect(rows).toEqual([
      {
        event: "e1",
        channel: "c1",
        signal: true,
        inputKbps: 1800,
        fps: 30,
        encoderSpeed: 1.01,
        droppedFrames: null,
        restarts: 0,
        viewers: 12,
      },
    ]);
  });

  it("names series by the panel's legend and drops points that are no number", () => {
    expect(seriesName("{{service}} ({{store}})", { service: "chat", store: "pg" })).toBe(
      "chat (pg)",
    );
    const panel = chartPanel({ title: "Lag", query: "q", legend: "{{source}}", unit: "short" }, [
      {
        labels: { source: "b" },
        points: [
          [1, 2],
          [2, Number.NaN],
        ],
      },
      { labels: { source: "a" }, points: [[1, Number.NaN]] },
    ]);
    expect(panel.series).toEqual([{ name: "b", points: [[1, 2]] }]);
    expect(lagRows([sample({ source: "x" }, 4), sample({}, 1)])).toEqual([{ source: "x", lag: 4 }]);
    expect(stepFor(60)).toBe(30);
    expect(stepFor(5)).toBe(15);
  });
});

describe("dead letters", () => {
  const letter: CloudEventV1 = {
    specversion: "1.0",
    id: "e-1",
    source: "/tests",
    type: "streamplatform.stream.started",
    extensions: {
      traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
      knativeerrordest: "http://sink/",
      knativeerrorcode: "422",
      knativeerrordata: Buffer.from("no channel").toString("base64"),
    },
  };

  it("has one key per event and refusing sink, fit for a URL", () => {
    const key = deadLetterKeyOf(letter);
    expect(key).toMatch(/^[\w-]{22}$/);
    expect(deadLetterKeyOf({ ...letter })).toBe(key);
    expect(
      deadLetterKeyOf({ ...letter, extensions: { ...letter.extensions, knativeerrordest: "x" } }),
    ).not.toBe(key);
  });

  it("replays the event as it was, without the delivery failure's extensions", () => {
    expect(originalEvent(letter).extensions).toEqual({
      traceparent: letter.extensions.traceparent,
    });
  });
});

describe("traces", () => {
  it("orders spans from the trace's start, with parents and services", () => {
    const spans = toSpans({
      processes: { p1: { serviceName: "edge" }, p2: { serviceName: "events" } },
      spans: [
        {
          spanID: "b",
          operationName: "GET /api/events",
          references: [{ refType: "CHILD_OF", spanID: "a" }],
          startTime: 1_000_500,
          duration: 2000,
          processID: "p2",
          tags: [{ key: "otel.status_code", value: "ERROR" }],
        },
        {
          spanID: "a",
          operationName: "edge",
          startTime: 1_000_000,
          duration: 4000,
          processID: "p1",
        },
      ],
    });
    expect(
      spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.startMs, s.durationMs, s.error]),
    ).toEqual([
      ["a", null, "edge", 0, 4, false],
      ["b", "a", "events", 0.5, 2, true],
    ]);
  });
});
