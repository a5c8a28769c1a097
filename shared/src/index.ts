// The common library without any store's driver: those are subpaths (shared/kafka, /mongodb,
// /postgres, /elasticsearch, /grpc), so a function loads only the drivers it uses (cold start).
export * from "./auth/accounts.ts";
export * from "./auth/cookie.ts";
export * from "./auth/internal.ts";
export * from "./auth/jwt.ts";
export * from "./auth/password.ts";
export * from "./auth/roles.ts";
export * from "./auth/signed-token.ts";
export * from "./auth/view-token.ts";
export * from "./cloudevents/index.ts";
export * from "./config.ts";
// gRPC without its library: status codes, the directory cache and clients made on first use.
export * from "./grpc/directory.ts";
export * from "./grpc/lazy.ts";
export * from "./grpc/status.ts";
export * from "./http/problem.ts";
export * from "./http/rate-limit.ts";
export * from "./http/router.ts";
export * from "./http/validate.ts";
export * from "./ids.ts";
export * from "./log.ts";
export * from "./observability/http-metrics.ts";
export * from "./observability/http-tracing.ts";
export * from "./observability/metrics.ts";
export * from "./observability/panels.ts";
export * from "./observability/trace-context.ts";
export * from "./observability/tracing.ts";
export * from "./util/batches.ts";
export * from "./util/bounded-map.ts";
export * from "./util/escape-regexp.ts";
export * from "./util/sweeper.ts";
export * from "./util/until-success.ts";
export * from "./util/within.ts";
