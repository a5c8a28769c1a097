// Runs a function's gRPC server (Knative: a Service with an h2c port). The module at
// GRPC_SOURCE exports `createGrpcServer(server): grpc.Server`, adding its services to the server
// this host made, which refuses every call without the platform-internal token (UNAUTHENTICATED);
// SIGTERM lets open calls finish.
import { createServer, type Server } from "node:http";
import * as grpc from "@grpc/grpc-js";
import { carriesInternalToken } from "../auth/internal.ts";
import { traceHandlers } from "../grpc/tracing.ts";
import { METRICS_PATH, serveMetrics } from "../observability/http-metrics.ts";
import { loadFunctionModule } from "./code-cache.ts";

/** Refuses a call whose metadata lacks the internal token (gRPC clients send it: grpc/clients.ts). */
const requireInternalToken: grpc.ServerInterceptor = (_method, call) =>
  new grpc.ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, pass) => {
          const [value] = metadata.get("authorization");
          if (carriesInternalToken(typeof value === "string" ? value : undefined)) pass(metadata);
          else
            call.sendStatus({
              code: grpc.status.UNAUTHENTICATED,
              details: "gRPC servers take calls only with the platform-internal token",
              metadata: new grpc.Metadata(),
            });
        },
      }),
  });

/**
 * The server a function's gRPC services are added to: every call checked as above, and handled
 * as a span of its caller's trace.
 */
export function platformGrpcServer(): grpc.Server {
  const server = new grpc.Server({ interceptors: [requireInternalToken] });
  const addService = server.addService.bind(server);
  server.addService = (service, implementation) =>
    addService(service, traceHandlers(service, implementation));
  return server;
}

export interface HostedGrpc {
  port: number;
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * A gRPC port speaks HTTP/2 only, which Prometheus cannot scrape: `/metrics` gets a plain HTTP
 * port of its own (METRICS_PORT; its prometheus.io/port annotation in knative/).
 */
async function serveMetricsPort(port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === METRICS_PATH) serveMetrics(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}

export async function hostGrpc(
  source: string,
  port: number,
  host = "127.0.0.1",
  metricsPort?: number,
): Promise<HostedGrpc> {
  const module = (await loadFunctionModule(source)) as {
    createGrpcServer?: (server: grpc.Server) => grpc.Server;
  };
  if (typeof module.createGrpcServer !== "function") {
    throw new Error(`${source} does not export createGrpcServer()`);
  }
  const server = module.createGrpcServer(platformGrpcServer());
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error ? reject(error) : resolve(actual),
    ),
  );
  const metricsServer =
    metricsPort === undefined ? undefined : await serveMetricsPort(metricsPort, host);
  return {
    port: bound,
    shutdown: (graceMs = 25_000) =>
      new Promise<void>((resolve) => {
        metricsServer?.close();
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
