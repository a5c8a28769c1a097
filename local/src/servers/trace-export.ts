// The processes local/ starts (the functions through the eventing runtime, stream-server) send
// their spans to the local Jaeger, unless the environment says otherwise: an endpoint of its own
// (a collector elsewhere), or OTEL_SDK_DISABLED=true (no export: the SDK is not even loaded).
import { otlpEndpoint } from "./jaeger.ts";

export function traceExportEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return {};
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return {};
  return { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint() };
}
