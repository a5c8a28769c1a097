// Spans recorded by the OpenTelemetry SDK and exported over OTLP/HTTP (the exporter reads the
// standard OTEL_EXPORTER_OTLP_* variables). Only loaded when export is configured (tracing.ts):
// the SDK costs start-up time a function without it does not pay. Our own AsyncLocalStorage
// stays the context (trace-context.ts); the SDK is handed each span's parent explicitly.
import {
  type Span as OtelSpan,
  SpanKind as OtelSpanKind,
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { Adopt } from "./early-spans.ts";
import type { ParentSpan, Span, SpanKind, SpanRecorder, TraceContext } from "./trace-context.ts";

const KINDS: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
  internal: OtelSpanKind.INTERNAL,
};

export interface OtelTracing {
  recorder: SpanRecorder;
  /** Takes over a span started before the SDK loaded (early-spans.ts), with its ids and times. */
  adopt: Adopt;
  /** Exports what is buffered (before the process exits). */
  flush(): Promise<void>;
}

/**
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the specification names them (the
 * @opentelemetry/sdk-trace package no longer reads them itself); default parentbased_always_on.
 */
export function samplerFromEnv(): Sampler {
  const ratio = Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  const fraction = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
  switch (process.env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on") {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(fraction);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(fraction) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

export function otelTracing(serviceName: string): OtelTracing {
  // An adopted span keeps the ids it was given; every other span gets random ones.
  const random = new RandomIdGenerator();
  let adopting: TraceContext | undefined;
  const provider = new TracerProvider({
    sampler: samplerFromEnv(),
    idGenerator: {
      generateTraceId: () => adopting?.traceId ?? random.generateTraceId(),
      generateSpanId: () => adopting?.spanId ?? random.generateSpanId(),
    },
    resource: resourceFromAttributes({ "service.name": serviceName }),
    // Batches leave every second: a short-lived request's trace is there soon after.
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 1000 }),
    ],
  });
  const tracer = provider.getTracer("stream-platform");
  const wrap = (span: OtelSpan, parent: ParentSpan | undefined, ended = false): Span => {
    const own = span.spanContext();
    return {
      context: {
        traceId: own.traceId,
        spanId: own.spanId,
        ...(parent && { parentSpanId: parent.spanId }),
        sampled: (own.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
      },
      setName: (name) => span.updateName(name),
      setAttributes: (attributes) => span.setAttributes(attributes),
      fail: (message) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
      end: () => {
        if (ended) return;
        ended = true;
        span.end();
      },
    };
  };
  const parentContext = (parent: ParentSpan | undefined) =>
    parent
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: parent.traceId,
          spanId: parent.spanId,
          traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        })
      : ROOT_CONTEXT;
  return {
    recorder: {
      start: (name, kind, parent, attributes) =>
        wrap(
          tracer.startSpan(name, { kind: KINDS[kind], attributes }, parentContext(parent)),
          parent,
        ),
    },
    adopt(early) {
      adopting = early.context;
      let span: OtelSpan;
      try {
        span = tracer.startSpan(
          early.name,
          { kind: KINDS[early.kind], attributes: early.attributes, startTime: early.startTime },
          parentContext(early.parent),
        );
      } finally {
        adopting = undefined;
      }
      if (early.failure !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: early.failure });
      if (early.endTime !== undefined) span.end(early.endTime);
      return wrap(span, early.parent, early.endTime !== undefined);
    },
    flush: () => provider.forceFlush(),
  };
}
