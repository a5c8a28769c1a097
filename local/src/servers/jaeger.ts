// Jaeger (v2, all in one): the local trace store. Processes send spans over OTLP/HTTP (the
// endpoint OTEL_EXPORTER_OTLP_ENDPOINT names), it keeps the latest traces in memory, and its
// query API gives them back (a build from source has no UI: the UI is a separate web build, and
// its page is a placeholder). Built from the Go module proxy, inside a module of our own: its
// go.mod has a replace directive, which `go install` refuses.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_HOST, localPorts } from "@stream-platform/shared";
import { stringify } from "yaml";
import { dataDir } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { goBuildWrapped } from "../provision/go.ts";
import type { Probe, Server } from "./types.ts";

export const JAEGER_VERSION = "v1.76.0";

const build = () =>
  goBuildWrapped({
    name: "jaeger",
    module: "github.com/jaegertracing/jaeger",
    version: JAEGER_VERSION,
    pkg: "github.com/jaegertracing/jaeger/cmd/jaeger",
    about: "about 10 minutes",
  });

/** Where processes send their spans (OTLP over HTTP; the exporter appends /v1/traces). */
export const otlpEndpoint = () => `http://${LOCAL_HOST}:${localPorts().otlpHttp}`;
export const jaegerUrl = () => `http://${LOCAL_HOST}:${localPorts().jaeger}`;

/** The collector's configuration: an OTLP/HTTP receiver into memory, the query service. */
function config(): string {
  return stringify({
    service: {
      extensions: ["jaeger_storage", "jaeger_query"],
      pipelines: {
        traces: {
          receivers: ["otlp"],
          processors: ["batch"],
          exporters: ["jaeger_storage_exporter"],
        },
      },
      // Its own metrics would need a port of their own; nothing reads them locally.
      telemetry: { metrics: { level: "none" }, logs: { level: "info" } },
    },
    extensions: {
      // The latest traces only, and gone at a restart: enough to look at a run.
      jaeger_storage: { backends: { memory: { memory: { max_traces: 20_000 } } } },
      jaeger_query: {
        storage: { traces: "memory" },
        // Its own requests would fill the store with traces of the UI.
        enable_tracing: false,
        http: { endpoint: `${LOCAL_HOST}:${localPorts().jaeger}` },
        // Its gRPC API must have a port of its own; nothing here uses it, so any free one.
        grpc: { endpoint: `${LOCAL_HOST}:0` },
      },
    },
    receivers: {
      otlp: { protocols: { http: { endpoint: `${LOCAL_HOST}:${localPorts().otlpHttp}` } } },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "memory" } },
  });
}

export const jaeger: Server = {
  name: "jaeger",
  title: "Jaeger (traces: OTLP in, query API)",
  dependsOn: [],
  startupTimeoutSeconds: 30,
  address: () => `OTLP ${otlpEndpoint()} (query API ${jaegerUrl()})`,
  port: () => localPorts().otlpHttp,
  portVariable: "OTLP_HTTP_PORT",
  external: () => false,

  async provision() {
    await build();
  },

  async start() {
    const binary = await build();
    const state = join(dataDir, "jaeger");
    mkdirSync(state, { recursive: true });
    const file = join(state, "config.yaml");
    writeFileSync(file, config());
    startDaemon({ name: "jaeger", command: binary, args: [`--config=${file}`] });
  },

  async probe(): Promise<Probe> {
    try {
      // Both ends: the receiver takes an empty export, and the query API answers.
      const receiver = await fetch(`${otlpEndpoint()}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans: [] }),
        signal: AbortSignal.timeout(2000),
      });
      if (!receiver.ok) return { up: false, reason: `/v1/traces answered ${receiver.status}` };
      const query = await fetch(`${jaegerUrl()}/api/services`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!query.ok) return { up: false, reason: `/api/services answered ${query.status}` };
      return { up: true, version: `Jaeger ${JAEGER_VERSION} (v2, in memory)` };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
