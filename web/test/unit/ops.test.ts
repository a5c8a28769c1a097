// The operator console's words for its figures (units, a live stream's health, dead letters'
// reasons) and the trace id an API answer's `traceresponse` names, which errors keep for the
// "View trace" link.
import { describe, expect, it } from "vitest";
import { ApiError, isOperator, traceIdOf } from "../../src/api.ts";
import {
  compact,
  formatAxis,
  formatValue,
  reasonLine,
  scaleTop,
  streamHealth,
  type TraceSpan,
  traceHref,
  waterfall,
} from "../../src/ops.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("the operator console's figures", () => {
  it("says each unit as a person reads it", () => {
    expect(formatValue(1.5, "reqps")).toBe("1.5 req/s");
    expect(formatValue(0.016_666, "reqps")).toBe("0.0167 req/s");
    expect(formatValue(0, "percentunit")).toBe("0 %");
    expect(formatValue(0.025, "percentunit")).toBe("2.5 %");
    expect(formatValue(0.012, "s")).toBe("12 ms");
    expect(formatValue(2.5, "s")).toBe("2.5 s");
    expect(formatValue(0.000_25, "s")).toBe("250 µs");
    expect(formatValue(0, "s")).toBe("0 s");
    expect(formatValue(512, "bytes")).toBe("512 B");
    expect(formatValue(150 * 1024 * 1024, "bytes")).toBe("150 MiB");
    expect(formatValue(1800, "kbps")).toBe("1,800 kbit/s");
    expect(formatValue(25_000, "kbps")).toBe("25 Mbit/s");
    expect(formatValue(3.2, "ops")).toBe("3.2/s");
    expect(formatValue(1234, "short")).toBe("1.23k");
    expect(compact(2_500_000)).toBe("2.5M");
    // No figure (nothing measured; NaN from an empty histogram): a dash, never "NaN".
    expect(formatValue(null, "s")).toBe("–");
    expect(formatValue(Number.NaN, "reqps")).toBe("–");
  });

  it("writes a chart's scale short", () => {
    expect(formatAxis(1.5, "reqps")).toBe("1.5/s");
    expect(formatAxis(0.5, "percentunit")).toBe("50%");
    expect(formatAxis(0.12, "s")).toBe("120ms");
    expect(formatAxis(2000, "kbps")).toBe("2Mb/s");
    expect(formatAxis(500, "kbps")).toBe("500kb/s");
  });

  it("tops a chart's scale at a round figure", () => {
    expect(scaleTop(0)).toBe(1);
    expect(scaleTop(0.7)).toBe(1);
    expect(scaleTop(1.3)).toBe(2);
    expect(scaleTop(2.2)).toBe(2.5);
    expect(scaleTop(3)).toBe(5);
    expect(scaleTop(1800)).toBe(2000);
    expect(scaleTop(0.012)).toBe(0.02);
    expect(scaleTop(100)).toBe(100);
    // Bytes: round in the unit shown (MiB), not in decimal.
    expect(formatValue(scaleTop(150e6, "bytes"), "bytes")).toBe("200 MiB");
    expect(scaleTop(700, "bytes")).toBe(1000);
  });

  it("says how a live stream fares", () => {
    const healthy = {
      event: "e1",
      channel: "c1",
      signal: true,
      viewers: 3,
      inputKbps: 1800,
      fps: 30,
      encoderSpeed: 1.01,
      droppedFrames: 0,
      restarts: 0,
    };
    expect(streamHealth(healthy)).toEqual({ level: "ok", text: "Healthy" });
    expect(streamHealth({ ...healthy, inputKbps: 0 })).toEqual({
      level: "bad",
      text: "No signal",
    });
    expect(streamHealth({ ...healthy, encoderSpeed: 0.8 })).toEqual({
      level: "bad",
      text: "Encoder falling behind (0.8×)",
    });
    expect(streamHealth({ ...healthy, encoderSpeed: 0.95, droppedFrames: 12 })).toEqual({
      level: "warn",
      text: "Encoder slow (0.95×), 12 frames dropped",
    });
    expect(streamHealth({ ...healthy, restarts: 1 }).text).toBe("Encoder restarted once");
    expect(streamHealth({ ...healthy, restarts: 3 }).text).toBe("Encoder restarted 3 times");
  });

  it("gives a dead letter's reason with its status code", () => {
    expect(reasonLine({ code: "500", reason: "search: index closed" })).toBe(
      "500: search: index closed",
    );
    expect(reasonLine({ code: null, reason: "  " })).toBe("no reason given");
    // A problem+json answer: its title and detail.
    expect(
      reasonLine({
        code: "422",
        reason:
          '{"type":"about:blank","status":422,"title":"Event refused","detail":"no channel c1"}',
      }),
    ).toBe("422: Event refused: no channel c1");
    expect(reasonLine({ code: "500", reason: "[1, 2]" })).toBe("500: [1, 2]");
  });
});

describe("traces of failed requests", () => {
  it("orders a trace's spans as a waterfall: each under its parent", () => {
    const span = (spanId: string, parentSpanId: string | null, startMs: number): TraceSpan => ({
      spanId,
      parentSpanId,
      service: "events",
      name: spanId,
      startMs,
      durationMs: 1,
      error: false,
      attributes: {},
    });
    const spans = [
      span("db", "handler", 2),
      span("handler", "root", 1),
      span("root", null, 0),
      span("grpc", "root", 1.5),
      // Its parent is not in the trace (another process's, not exported): a tree of its own.
      span("orphan", "elsewhere", 0.5),
      // A cycle (broken data): still shown, once each.
      span("a", "b", 3),
      span("b", "a", 4),
    ];
    expect(waterfall(spans).map(({ span, depth }) => `${span.spanId}@${depth}`)).toEqual([
      "root@0",
      "handler@1",
      "db@2",
      "grpc@1",
      "orphan@0",
      "a@0",
      "b@1",
    ]);
  });

  it("reads the trace id of a traceresponse header", () => {
    expect(traceIdOf(`00-${TRACE}-00f067aa0ba902b7-01`)).toBe(TRACE);
    expect(traceIdOf(`00-${TRACE}-00f067aa0ba902b7-00`)).toBe(TRACE);
    expect(traceIdOf(null)).toBeUndefined();
    expect(traceIdOf("garbage")).toBeUndefined();
    // An all-zero trace id is no trace (the specification's invalid value).
    expect(traceIdOf(`00-${"0".repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
  });

  it("keeps it on the error, and links to it by the template", () => {
    const error = new ApiError(500, "Internal error", "", [], undefined, TRACE);
    expect(error.traceId).toBe(TRACE);
    expect(traceHref("http://127.0.0.1:16686/trace/{traceId}", TRACE)).toBe(
      `http://127.0.0.1:16686/trace/${TRACE}`,
    );
  });

  it("knows an operator by the role", () => {
    const user = {
      id: "u",
      email: "o@example.org",
      displayName: "O",
      createdAt: "2030-01-01T00:00:00Z",
      emailVerified: true,
    };
    expect(isOperator({ ...user, roles: ["operator"] })).toBe(true);
    expect(isOperator({ ...user, roles: [] })).toBe(false);
    expect(isOperator(user as unknown as Parameters<typeof isOperator>[0])).toBe(false);
    expect(isOperator(null)).toBe(false);
  });
});
