// Runs one functions-framework target as its own HTTP server, the way Knative runs a function's
// container: the function registered with the framework's `http(…)`, given the request as the
// framework would give it (the body parsed, request-body.ts), plus what the framework lacks: a
// health route, problem+json for bad requests, and a graceful shutdown that finishes in-flight
// requests before the process exits. An HTTP function is called without the framework's
// middleware chain and per-request `domain` (see `direct`); a CloudEvent function is served by
// the framework as it is.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { HttpFunction } from "@google-cloud/functions-framework";
import type { Express, NextFunction, Request, Response } from "express";
import { Breaker } from "../http/breaker.ts";
import {
  HttpProblem,
  type Problem,
  sendHttpProblem,
  sendProblem,
  serviceUnavailable,
} from "../http/problem.ts";
import { log } from "../log.ts";
import { METRICS_PATH, measureRequest, serveMetrics } from "../observability/http-metrics.ts";
import { traceRequest } from "../observability/http-tracing.ts";
import { inSpan } from "../observability/trace-context.ts";
import { loadFunctionModule } from "./code-cache.ts";
import { malformedJson, type RequestWithBody, readBody } from "./request-body.ts";

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
  // Imported here, not at the top: this module is in every bundle that uses the hosting
  // library, and the framework it loads is ~50 ms of a gRPC server's cold start that serves
  // no HTTP function (an HTTP function's module has loaded the framework by now anyway).
  const { getFunction, getTestServer } = await import("@google-cloud/functions-framework/testing");
  const fn = getFunction(options.target) as HttpFunction | undefined;
  if (!fn) throw new Error(`${options.source} registers no function named ${options.target}`);
  const app = getTestServer(options.target).listeners("request")[0] as Express;
  const handler = isHttpSignature(app) ? direct(fn, app) : framework(app);
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
 * (body-parser's own limit is the framework's 1024 MB). The rest of the body is read and
 * dropped, and the 413 goes out once it has ended: an answer given while the client still sends
 * makes Node close the connection, and the reset that the client's next bytes then meet can
 * discard the answer before the client reads it. A client still sending after a few seconds
 * gets the answer and a closed connection.
 */
function limitBody(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): void {
  let seen = 0;
  let linger: NodeJS.Timeout | undefined;
  const refuse = () => {
    clearTimeout(linger);
    if (res.headersSent) return;
    sendProblem(res, {
      status: 413,
      title: "Request body too large",
      detail: `the body is over ${maxBodyBytes} bytes`,
    });
  };
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk === null) {
      // The answer first: whoever reads the body then gets an end, and answers nothing more.
      if (seen > maxBodyBytes) refuse();
      return push(null);
    }
    seen += (chunk as Buffer).length;
    if (seen <= maxBodyBytes) return push(chunk, encoding);
    linger ??= setTimeout(() => {
      refuse();
      req.socket.destroy();
    }, 5000).unref();
    return true;
  };
}

/**
 * Whether the framework serves the target as an HTTP function (`http(…)`): its app routes every
 * method to it, GET included (a CloudEvent function takes POSTs only). Read from Express 5's
 * route defensively: anything else is served by the framework's own stack.
 */
function isHttpSignature(app: Express): boolean {
  const router = (app as unknown as { router?: { stack?: { route?: { methods?: object } }[] } })
    .router;
  const methods = router?.stack?.at(-1)?.route?.methods as Record<string, boolean> | undefined;
  return methods?.get === true && methods.post === true;
}

/**
 * An HTTP function, called with the request once its body is read (request-body.ts), on the
 * framework's Express request and response (a function written to the framework's contract
 * may use `res.status(…).send(…)`), without the rest of its stack: Express's middleware chain
 * and the `domain` it runs each request in cost more CPU than a small function's own work.
 */
function direct(fn: HttpFunction, app: Express) {
  return (req: IncomingMessage, res: ServerResponse) => {
    Object.assign(req, { res });
    Object.assign(res, { req, locals: Object.create(null) });
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    void invoke(fn, req, res);
  };
}

/** What `invoke` does, by the framework itself (a CloudEvent function, say). */
function framework(app: Express) {
  // The framework answers unparsable bodies with an HTML page; ours speak problem+json.
  app.use(bodyErrors);
  return app as unknown as (req: IncomingMessage, res: ServerResponse) => void;
}

/** The function, given the request with its body read; what it throws is a 500 problem. */
async function invoke(fn: HttpFunction, req: RequestWithBody, res: ServerResponse): Promise<void> {
  try {
    await readBody(req);
  } catch (error) {
    if (error instanceof HttpProblem) {
      if (!res.headersSent) sendHttpProblem(res, error);
      return;
    }
    // The connection went while the body arrived: nobody to answer.
    res.destroy();
    return;
  }
  // A body refused while it arrived (limitBody) was answered already.
  if (res.headersSent) return;
  try {
    // The framework's types are Express's; the objects are (see `direct`).
    await fn(req as Parameters<HttpFunction>[0], res as Parameters<HttpFunction>[1]);
  } catch (error) {
    // A problem it threw is its answer; anything else is a 500 (the stack goes to the log).
    if (error instanceof HttpProblem) {
      if (!res.headersSent) sendHttpProblem(res, error);
      else res.destroy();
      return;
    }
    log({
      level: "error",
      msg: "the function failed",
      error: (error as Error)?.stack ?? String(error),
    });
    if (!res.headersSent)
      sendProblem(res, { status: 500, title: "Internal error", detail: "the function failed" });
    else res.destroy();
  }
}

function bodyErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  // A body refused while it arrived (limitBody) was answered already.
  if (res.headersSent) return;
  const type = (error as { type?: string }).type;
  if (type === "entity.parse.failed") {
    sendProblem(res, malformedJson((error as Error).message));
    return;
  }
  if (type === "entity.too.large") {
    sendProblem(res, { status: 413, title: "Request body too large" });
    return;
  }
  next(error);
}
