// Runs one functions-framework target as its own HTTP server, the way Knative runs a function's
// container: the framework's own request handling (HTTP and CloudEvent signatures, binary and
// structured modes), plus what the framework lacks: a health route and a graceful shutdown that
// finishes in-flight requests before the process exits.
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { Application, NextFunction, Request, Response } from "express";
import { Breaker } from "../http/breaker.ts";
import { type Problem, sendProblem, serviceUnavailable } from "../http/problem.ts";
import { METRICS_PATH, measureRequest, serveMetrics } from "../observability/http-metrics.ts";
import { traceRequest } from "../observability/http-tracing.ts";
import { inSpan } from "../observability/trace-context.ts";
import { loadFunctionModule } from "./code-cache.ts";

export const HEALTH_PATH = "/healthz";

export interface HostOptions {
  /** The module that registers the target with `http(…)` or `cloudEvent(…)`. */
  source: string;
  target: string;
  port: number;
  host?: string;
  /** Larger request bodies are refused with 413 before they are read (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * The revision's `containerConcurrency`, enforced here as Knative's queue-proxy does (at most
   * this many requests at once, ten times as many waiting, 503 beyond); 0 or unset: no limit.
   */
  containerConcurrency?: number;
}

export interface HostedFunction {
  server: Server;
  port: number;
  /** Requests in the handler and waiting for a place (containerConcurrency), now. */
  load(): { active: number; queued: number };
  /** Stops accepting and waits for in-flight requests (then call runShutdownHooks). */
  shutdown(graceMs?: number): Promise<void>;
}

export async function hostFunction(options: HostOptions): Promise<HostedFunction> {
  await loadFunctionModule(options.source);
  // The framework builds its express app around the registered target; we keep its handler.
  const framework = getTestServer(options.target);
  const handler = framework.listeners("request")[0] as RequestListener;
  // The framework answers unparsable bodies with an HTML page; ours speak problem+json.
  (handler as unknown as Application).use(bodyErrors);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const breaker = options.containerConcurrency
    ? new Breaker(options.containerConcurrency)
    : undefined;
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > maxBodyBytes) {
      req.resume();
      sendProblem(res, {
        status: 413,
        title: "Request body too large",
        detail: `the body has ${length} bytes; at most ${maxBodyBytes} are accepted`,
      });
      return;
    }
    // The framework's router decodes the path and answers a malformed escape with an HTML page.
    if (!decodablePath(req.url ?? "/")) {
      req.resume();
      sendProblem(res, {
        status: 400,
        title: "Malformed path",
        detail: "the path has a percent-encoding that is not valid UTF-8",
        errors: [{ field: "path", detail: "malformed percent-encoding" }],
      });
      return;
    }
    // A chunked body has no Content-Length to check: count it as it arrives.
    if (req.headers["content-length"] === undefined) limitBody(req, res, maxBodyBytes);
    inFlight += 1;
    let closed = false;
    res.on("close", () => {
      closed = true;
      inFlight -= 1;
      if (draining && inFlight === 0) drained?.();
    });
    if (!breaker) {
      handler(req, res);
      return;
    }
    const ticket = breaker.enter();
    if (!ticket) {
      req.resume();
      sendProblem(res, overloaded(breaker));
      return;
    }
    // Done, or gone while it waited in line (its spot goes to the next).
    res.on("close", ticket.leave);
    void ticket.admitted.then(() => {
      if (!closed) handler(req, res);
    });
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === HEALTH_PATH) {
      res.writeHead(draining ? 503 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: draining ? "draining" : "ok", target: options.target }));
      return;
    }
    // Scraped on the instance's own port (the edge routes no such path): never queued behind work.
    if (req.method === "GET" && req.url === METRICS_PATH) {
      serveMetrics(res);
      return;
    }
    measureRequest(req, res);
    // The request is a span of its caller's trace (or a new one): what it logs and emits says so.
    inSpan(traceRequest(req, res), () => serve(req, res));
  });
  // Long requests (a fan-out, say) are allowed; Knative's own timeout applies in a cluster.
  server.setTimeout(0);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;

  return {
    server,
    port,
    load: () =>
      breaker
        ? { active: breaker.inFlight, queued: breaker.queued }
        : { active: inFlight, queued: 0 },
    async shutdown(graceMs = 25_000) {
      draining = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
    },
  };
}

/** 503 for a request the breaker has no place for: the caller comes back in a second. */
function overloaded(breaker: Breaker): Problem {
  return serviceUnavailable(
    `this instance is at its limit (${breaker.maxConcurrency} requests at once, ${breaker.queueDepth} waiting): try again shortly`,
    1,
  );
}

function decodablePath(url: string): boolean {
  try {
    decodeURIComponent(url.split("?")[0] ?? "");
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a body without Content-Length (chunked) once it passes the limit: the parser hands
 * each chunk to `push`, so counting there sees every byte whoever reads the stream later
 * (body-parser's own limit is the framework's 1024 MB). The 413 goes out at once; the rest of
 * the body is read and dropped (closing a socket with data still arriving resets it, and the
 * client may lose the answer), for at most a few seconds.
 */
function limitBody(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): void {
  let seen = 0;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (seen > maxBodyBytes) return chunk === null ? push(null) : true;
    if (chunk === null) return push(null);
    seen += (chunk as Buffer).length;
    if (seen <= maxBodyBytes) return push(chunk, encoding);
    sendProblem(res, {
      status: 413,
      title: "Request body too large",
      detail: `the body is over ${maxBodyBytes} bytes`,
    });
    const linger = setTimeout(() => req.socket.destroy(), 5000).unref();
    req.once("end", () => clearTimeout(linger));
    // Whoever reads the body gets an empty end; the answer is given.
    return push(null);
  };
}

function bodyErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  // A body refused while it arrived (limitBody) was answered already.
  if (res.headersSent) return;
  const type = (error as { type?: string }).type;
  if (type === "entity.parse.failed") {
    sendProblem(res, {
      status: 400,
      title: "Malformed body",
      detail: `the body is not valid JSON: ${(error as Error).message}`,
      errors: [{ field: "body", detail: "malformed JSON" }],
    });
    return;
  }
  if (type === "entity.too.large") {
    sendProblem(res, { status: 413, title: "Request body too large" });
    return;
  }
  next(error);
}
