// The entry point of every function process (locally, and in the container image):
//   FUNCTION_SOURCE=functions/x/src/index.ts FUNCTION_TARGET=name PORT=8080 tsx shared/src/hosting/main.ts
//   GRPC_SOURCE=functions/x/src/grpc.ts PORT=8080 tsx shared/src/hosting/main.ts   (a gRPC server)
// or, built (npm run build): FUNCTIONS_DIST=dist … node dist/host.mjs
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Server, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { loadEnvFileIfPresent } from "../env-file.ts";
import { log } from "../log.ts";
import { flushTraces, startTracingLater } from "../observability/tracing.ts";
import { writeWarmCodeCache } from "./code-cache.ts";
import { runShutdownHooks } from "./shutdown.ts";
import { sourceFile } from "./sources.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: which function should this process serve?`);
    process.exit(2);
  }
  return value;
}

/**
 * Secrets mounted as files (OpenFaaS: /var/openfaas/secrets/jwt-secret; Docker: /run/secrets)
 * become the variables the code reads (JWT_SECRET), unless those are set already.
 */
function secretsFromFiles(dir = process.env.SECRETS_DIR ?? "/var/openfaas/secrets"): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const variable = name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
    if (process.env[variable] === undefined)
      process.env[variable] = readFileSync(join(dir, name), "utf8").trim();
  }
}
// The build's step (local/src/deploy/build.ts): run a bundle's top level, write its code cache.
const warm = process.argv.indexOf("--write-code-cache");
if (warm > 0) {
  writeWarmCodeCache(process.argv[warm + 1] ?? "");
  // Whatever the top level started (a connection, a timer) is not waited for.
  process.exit(0);
}

/** The function's own `.env` (functions/x/.env for functions/x/src/…), for runs from the repository. */
function functionEnvFile(): void {
  const source = process.env.FUNCTION_SOURCE || process.env.GRPC_SOURCE;
  const at = source?.lastIndexOf("/src/") ?? -1;
  if (source && at > 0) loadEnvFileIfPresent(resolve(source.slice(0, at), ".env"));
}

functionEnvFile();
secretsFromFiles();
// A production build carries the gRPC contracts beside the bundles (npm run build copies them).
if (process.env.FUNCTIONS_DIST)
  process.env.PROTOS_DIR ??= join(process.env.FUNCTIONS_DIST, "protos");

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? "127.0.0.1";
const grpcSource = process.env.GRPC_SOURCE;

async function start(): Promise<{
  name: string;
  shutdown: () => Promise<void>;
  server?: Server;
}> {
  // Each kind of host is loaded only when used: gRPC's library is no part of an HTTP cold start.
  if (grpcSource) {
    const { hostGrpc } = await import("./grpc-host.ts");
    const metricsPort = process.env.METRICS_PORT ? Number(process.env.METRICS_PORT) : undefined;
    const hosted = await hostGrpc(sourceFile(grpcSource), port, host, metricsPort);
    return { name: grpcSource, shutdown: () => hosted.shutdown() };
  }
  const target = required("FUNCTION_TARGET");
  const source = sourceFile(required("FUNCTION_SOURCE"));
  const maxBodyBytes = process.env.MAX_BODY_BYTES ? Number(process.env.MAX_BODY_BYTES) : undefined;
  const { hostFunction } = await import("./host.ts");
  // Knative's queue-proxy enforces the revision's containerConcurrency in a cluster; a process
  // run without one (local/, Compose) is given it in CONTAINER_CONCURRENCY and enforces it itself.
  const containerConcurrency = Number(process.env.CONTAINER_CONCURRENCY ?? 0) || undefined;
  const hosted = await hostFunction({
    source,
    target,
    port,
    host,
    maxBodyBytes,
    containerConcurrency,
  });
  return { name: target, shutdown: () => hosted.shutdown(), server: hosted.server };
}

// Before the function's module loads: its first request is traced like the others. The SDK
// itself is no part of serving: it loads once the first request (the readiness probe, as a
// rule) is answered, or after a second, and takes over the spans recorded until then.
const loadTracing = await startTracingLater();
const hosted = await start();
const target = hosted.name;
log({ level: "info", msg: "serving", target, port });
let tracingLoads = false;
const loadTracingSoon = () => {
  if (tracingLoads) return;
  tracingLoads = true;
  clearTimeout(tracingTimer);
  setImmediate(() =>
    loadTracing().catch((error: unknown) =>
      log({ level: "warn", msg: "traces not exported", error: String(error) }),
    ),
  );
};
const tracingTimer = setTimeout(loadTracingSoon, 1000);
hosted.server?.once("request", (_req, res: ServerResponse) => res.once("finish", loadTracingSoon));

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log({ level: "info", msg: "draining", target, signal });
    hosted
      .shutdown()
      .then(runShutdownHooks)
      .then(flushTraces)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log({ level: "error", msg: "shutdown failed", error: String(error) });
          process.exit(1);
        },
      );
  });
}
