// Whether this process exports traces, and turning it on: OpenTelemetry's own variables decide
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set, OTEL_TRACES_EXPORTER
// not "none", OTEL_SDK_DISABLED not "true"); off unless configured. Call `startTracing()` once,
// before the work starts (the hosts do; a function's host, `startTracingLater()`).
import { log, serviceName } from "../log.ts";
import { earlySpans } from "./early-spans.ts";
import type { OtelTracing } from "./otel-recorder.ts";
import { useSpanRecorder } from "./trace-context.ts";

export function tracingConfigured(): boolean {
  if (process.env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return false;
  const exporters = (process.env.OTEL_TRACES_EXPORTER ?? "otlp").split(",").map((e) => e.trim());
  if (!exporters.includes("otlp")) return false;
  return Boolean(
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  );
}

let flush: (() => Promise<void>) | undefined;
/** The SDK's load, when startTracingLater put it off (the same promise at every call). */
let deferredLoad: (() => Promise<void>) | undefined;

async function loadSdk(): Promise<OtelTracing> {
  const { otelTracing } = await import("./otel-recorder.ts");
  const tracing = otelTracing(serviceName());
  flush = tracing.flush;
  log({
    level: "info",
    msg: "exporting traces",
    endpoint:
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  return tracing;
}

/** Loads the OpenTelemetry SDK and records spans with it, if configured; else does nothing. */
export async function startTracing(): Promise<void> {
  if (flush || deferredLoad || !tracingConfigured()) return;
  useSpanRecorder((await loadSdk()).recorder);
}

// The samplers samplerFromEnv (otel-recorder.ts) makes other than its default.
const OTHER_SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

/**
 * As startTracing, but the SDK (~40 ms of a start) loads only when the function returned is
 * called: spans from now on are recorded, and handed to it then with their ids and times
 * (early-spans.ts). The SDK loads at once if its sampler is not the default (parent-based,
 * roots sampled), whose decisions the early spans could not know.
 */
export async function startTracingLater(): Promise<() => Promise<void>> {
  const none = async () => undefined;
  if (deferredLoad) return deferredLoad;
  if (flush || !tracingConfigured()) return none;
  if (OTHER_SAMPLERS.includes(process.env.OTEL_TRACES_SAMPLER ?? "")) {
    await startTracing();
    return none;
  }
  const early = earlySpans();
  useSpanRecorder(early.recorder);
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= loadSdk().then(
      (tracing) => {
        early.adoptAll(tracing.adopt);
        useSpanRecorder(tracing.recorder);
      },
      (error: unknown) => {
        useSpanRecorder(undefined);
        log({ level: "warn", msg: "traces not exported", error: String(error) });
      },
    );
    return loading;
  };
  deferredLoad = load;
  return load;
}

/** Exports the spans still buffered (at shutdown; the SDK loads first if put off); never throws. */
export async function flushTraces(): Promise<void> {
  await deferredLoad?.();
  await flush?.().catch((error: unknown) =>
    log({ level: "warn", msg: "traces not exported", error: String(error) }),
  );
}
