// What every HTTP request costs, per route: one histogram whose labels give the rate (its count),
// the errors (status 5xx) and the duration (its buckets). The route is the pattern a router
// matched (`/api/events/:id`), never the path itself, so ids do not make a series each.
import type { IncomingMessage, ServerResponse } from "node:http";
import { processGlobal } from "../util/process-global.ts";
import { collectProcessMetrics, EXPOSITION_CONTENT_TYPE, metrics } from "./metrics.ts";

export const METRICS_PATH = "/metrics";

const requestDuration = metrics.histogram(
  "http_server_request_duration_seconds",
  "HTTP requests served, by method, route pattern and status: time to the last byte.",
  ["method", "route", "status"],
);

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
// The function's router names the route; the host (another bundle in a build) reads it.
const routes = processGlobal("request-routes", () => new WeakMap<IncomingMessage, string>());

/** Names the route pattern that serves `req` (the router calls this once it matched). */
export function setRoute(req: IncomingMessage, route: string): void {
  routes.set(req, route);
}

/** The route pattern `req` was served by, or "other" if no router named one. */
export const routeOf = (req: IncomingMessage) => routes.get(req) ?? "other";

/** Times `req` until its answer is sent, or the caller gave up (status 499, as NGINX logs it). */
export function measureRequest(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once("close", () => {
    requestDuration.observe(
      {
        method: METHODS.has(req.method ?? "") ? (req.method as string) : "other",
        route: routeOf(req),
        status: res.writableFinished ? res.statusCode : 499,
      },
      (performance.now() - started) / 1000,
    );
  });
}

/** Answers a scrape with the process's metrics. */
export function serveMetrics(res: ServerResponse): void {
  collectProcessMetrics();
  res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE });
  res.end(metrics.exposition());
}
