// W3C Trace Context for the work a process is doing: the request or CloudEvent being handled
// carries a `traceparent` (an HTTP header; a CloudEvent's distributed-tracing extension), the
// handling is a new span of that trace, and what it logs, calls and emits carries the same trace.
// The current span lives in AsyncLocalStorage, so no handler passes it along by hand.
//
// Spans always get their ids (logs and propagation need nothing else). They are recorded and
// exported only when OpenTelemetry export is configured (tracing.ts swaps in the SDK's
// recorder); otherwise a span costs two random ids and nothing more.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { processGlobal } from "../util/process-global.ts";

export interface TraceContext {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** This span: 16 lowercase hex digits. */
  spanId: string;
  /** The caller's span, when the work came with a traceparent. */
  parentSpanId?: string;
  sampled: boolean;
}

export type SpanKind = "server" | "client" | "producer" | "consumer" | "internal";
export type SpanAttributes = Record<string, string | number | boolean>;

/** A span being timed; `end` once (later calls do nothing). */
export interface Span {
  readonly context: TraceContext;
  setName(name: string): void;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed (an exception, a 5xx), with what went wrong. */
  fail(message: string): void;
  end(): void;
}

/** What records spans: ids only by default, the OpenTelemetry SDK when export is configured. */
export interface SpanRecorder {
  start(
    name: string,
    kind: SpanKind,
    parent: ParentSpan | undefined,
    attributes: SpanAttributes,
  ): Span;
}

export interface ParentSpan {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** The caller's trace and span from a `traceparent`, or undefined if absent or malformed. */
export function parseTraceparent(value: string | undefined): ParentSpan | undefined {
  const match = TRACEPARENT.exec(value?.trim().toLowerCase() ?? "");
  if (!match) return undefined;
  const [, traceId = "", spanId = "", flags = "00"] = match;
  // All-zero ids are invalid by the spec: start a new trace rather than continue a broken one.
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export const formatTraceparent = (context: TraceContext | ParentSpan) =>
  `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}`;

/** A new span's ids: a child of `parent` when given, else the root of a new trace. */
export function childContext(parent: ParentSpan | undefined): TraceContext {
  const spanId = randomBytes(8).toString("hex");
  if (!parent) return { traceId: randomBytes(16).toString("hex"), spanId, sampled: true };
  return { traceId: parent.traceId, spanId, parentSpanId: parent.spanId, sampled: parent.sampled };
}

/** The recorder without export: ids for logs and propagation, nothing kept. */
const idsOnly: SpanRecorder = {
  start: (_name, _kind, parent) => ({
    context: childContext(parent),
    setName: () => undefined,
    setAttributes: () => undefined,
    fail: () => undefined,
    end: () => undefined,
  }),
};

// One per process (the host's bundle and the function's share the current span and recorder).
const state = processGlobal("trace-context", () => ({
  storage: new AsyncLocalStorage<TraceContext>(),
  recorder: undefined as SpanRecorder | undefined,
}));
const storage = state.storage;

/** Installs the recorder that exports spans (tracing.ts). */
export function useSpanRecorder(next: SpanRecorder | undefined): void {
  state.recorder = next;
}

/**
 * Whether spans are kept (exported): spans that only describe (a query, a send) are made only
 * then, and only inside a span of the work that caused them.
 */
export const spansRecorded = () => state.recorder !== undefined;

/** Whether a span describing part of the current work would be kept (exported and sampled). */
export const describingSpans = () =>
  state.recorder !== undefined && storage.getStore()?.sampled === true;

/** The span of the work being done now, if any. */
export const currentSpan = (): TraceContext | undefined => storage.getStore();

/** The `traceparent` to hand on from the current span (for an event or a call it causes). */
export function currentTraceparent(): string | undefined {
  const span = storage.getStore();
  return span ? formatTraceparent(span) : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  /**
   * The parent: a `traceparent` (a request's header, an event's extension); without one (or
   * with a malformed one), the current span, else none (a new trace).
   */
  traceparent?: string;
  attributes?: SpanAttributes;
}

/** Starts a span (not yet current: run work in it with `inSpan`). */
export function startSpan(name: string, options: SpanOptions = {}): Span {
  const parent = parseTraceparent(options.traceparent) ?? currentSpan();
  return (state.recorder ?? idsOnly).start(
    name,
    options.kind ?? "internal",
    parent,
    options.attributes ?? {},
  );
}

/** Runs `work` as the span: what it logs, calls and emits carries the span's trace. */
export const inSpan = <T>(span: Span | TraceContext, work: () => T): T =>
  storage.run("context" in span ? span.context : span, work);

/**
 * Runs async `work` in a new span that ends when it settles (failed if it throws).
 * `work` may name the span's outcome on it (attributes, fail).
 */
export function traced<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  return inSpan(span, () => work(span)).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.fail(error instanceof Error ? error.message : String(error));
      span.end();
      throw error;
    },
  );
}
