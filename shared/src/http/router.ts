// A small router for HTTP functions: method + path pattern (`/api/channels/:id`) → handler.
// Handlers return a value (sent as JSON) or throw an HttpProblem; anything else becomes a 500
// without internals. Unknown paths are 404, known paths with another method 405.
import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "../log.ts";
import { setRoute } from "../observability/http-metrics.ts";
import { HttpProblem, sendHttpProblem, sendProblem, serviceUnavailable } from "./problem.ts";
import { storeUnavailable } from "./unavailable.ts";

export interface RouteContext {
  req: IncomingMessage & { body?: unknown };
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A list sends the header once per value (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  /** A page for a person rather than a program (a link opened from a mail), instead of `body`. */
  html?: string;
}

export type Handler = (context: RouteContext) => Promise<Reply> | Reply;

export interface RouteOptions {
  /**
   * Take a body of any content type as JSON (beacons: `navigator.sendBeacon` posts text/plain).
   * Otherwise a body must be `application/json`: an HTML form (urlencoded, multipart,
   * text/plain) cannot send that across sites without a CORS preflight the API never grants, so
   * a form on another site cannot sign a browser in or write with its cookie.
   */
  anyBodyType?: boolean;
}

interface Route {
  method: string;
  /** As declared (`/api/events/:id`): the route label of the request metrics. */
  path: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  options: RouteOptions;
}

/** A request that carries a body (chunked, or a Content-Length above 0). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0
  );
}

const isJson = (type: string | undefined) =>
  /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type ?? "");

function decodeParam(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpProblem({
      status: 400,
      title: "Malformed path",
      detail: `${name} has a percent-encoding that is not valid UTF-8`,
      errors: [{ field: name, detail: "malformed percent-encoding" }],
    });
  }
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler, options: RouteOptions = {}): this {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({
      method,
      path,
      pattern: new RegExp(`^${source}/?$`),
      names,
      handler,
      options,
    });
    return this;
  }

  /** The functions-framework HTTP handler. */
  handle = async (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
  ): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://function");
    const matches = this.routes.filter((r) => r.pattern.test(url.pathname));
    const route = matches.find((r) => r.method === req.method);
    setRoute(req, route?.path ?? "unmatched");
    try {
      if (!route) {
        if (matches.length > 0) {
          throw new HttpProblem(
            {
              status: 405,
              title: "Method not allowed",
              detail: `${req.method} is not allowed here`,
            },
            { allow: [...new Set(matches.map((r) => r.method))].join(", ") },
          );
        }
        throw new HttpProblem({
          status: 404,
          title: "Not found",
          detail: `no route for ${url.pathname}`,
        });
      }
      if (!route.options.anyBodyType && hasBody(req) && !isJson(req.headers["content-type"]))
        throw new HttpProblem({
          status: 415,
          title: "Unsupported media type",
          detail: "send the body as application/json",
          errors: [{ field: "content-type", detail: "must be application/json" }],
        });
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodeParam(name, values[i] ?? "")]),
      );
      const reply = await route.handler({ req, res, params, query: url.searchParams });
      res.writeHead(reply.status, {
        ...(reply.body !== undefined && { "content-type": "application/json" }),
        ...(reply.html !== undefined && { "content-type": "text/html; charset=utf-8" }),
        "cache-control": "no-store",
        ...reply.headers,
      });
      res.end(reply.html ?? (reply.body === undefined ? undefined : JSON.stringify(reply.body)));
    } catch (error) {
      if (error instanceof HttpProblem) {
        sendHttpProblem(res, error);
        return;
      }
      if (storeUnavailable(error)) {
        sendProblem(
          res,
          serviceUnavailable("a store this function needs does not answer; try again shortly"),
        );
        return;
      }
      log({
        level: "error",
        msg: "unhandled",
        path: url.pathname,
        error: String(error),
      });
      sendProblem(res, {
        status: 500,
        title: "Internal error",
        detail: "the request failed; it has been logged",
      });
    }
  };
}
