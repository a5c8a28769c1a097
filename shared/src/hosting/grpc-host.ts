// Runs a function's gRPC server (Knative: a Service with an h2c port). The module at
// GRPC_SOURCE exports `createGrpcServer(): grpc.Server`; SIGTERM lets open calls finish.
import * as grpc from "@grpc/grpc-js";
import { loadFunctionModule } from "./code-cache.ts";

export interface HostedGrpc {
  port: number;
  shutdown(graceMs?: number): Promise<void>;
}

export async function hostGrpc(
  source: string,
  port: number,
  host = "127.0.0.1",
): Promise<HostedGrpc> {
  const module = (await loadFunctionModule(source)) as {
    createGrpcServer?: () => grpc.Server;
  };
  if (typeof module.createGrpcServer !== "function") {
    throw new Error(`${source} does not export createGrpcServer()`);
  }
  const server = module.createGrpcServer();
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error ? reject(error) : resolve(actual),
    ),
  );
  return {
    port: bound,
    shutdown: (graceMs = 25_000) =>
      new Promise<void>((resolve) => {
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
