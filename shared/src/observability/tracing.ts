// Whether this process exports traces, and turning it on: OpenTelemetry's own variables decide
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set, OTEL_TRACES_EXPORTER
// not "none", OTEL_SDK_DISABLED not "true"); off unless configured. Call `startTracing()` once,
// before the work starts (the hosts do).
import { log, serviceName } from "../log.ts";
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

/** Loads the OpenTelemetry SDK and records spans with it, if configured; else does nothing. */
export async function startTracing(): Promise<void> {
  if (flush || !tracingConfigured()) return;
  const { otelTracing } = await import("./otel-recorder.ts");
  const tracing = otelTracing(serviceName());
  useSpanRecorder(tracing.recorder);
  flush = tracing.flush;
  log({
    level: "info",
    msg: "exporting traces",
    endpoint:
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
}

/** Exports the spans still buffered (at shutdown); never throws. */
export async function flushTraces(): Promise<void> {
  await flush?.().catch((error: unknown) =>
    log({ level: "warn", msg: "traces not exported", error: String(error) }),
  );
}
