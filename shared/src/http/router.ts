// A small router for HTTP functions: method + path pattern (`/api/channels/:id`) → handler.
// Handlers return a value (sent as JSON) or throw an HttpProblem; anything else becomes a 500
// without internals. Unknown paths are 404, known paths with another method 405.
import type { IncomingMessage, ServerResponse } from "node:http";
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
}

export type Handler = (context: RouteContext) => Promise<Reply> | Reply;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
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
      const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodeURIComponent(values[i] ?? "")]),
      );
      const reply = await route.handler({ req, res, params, query: url.searchParams });
      res.writeHead(reply.status, {
        ...(reply.body !== undefined && { "content-type": "application/json" }),
        "cache-control": "no-store",
        ...reply.headers,
      });
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
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
      console.error(
        JSON.stringify({
          level: "error",
          msg: "unhandled",
          path: url.pathname,
          error: String(error),
        }),
      );
      sendProblem(res, {
        status: 500,
        title: "Internal error",
        detail: "the request failed; it has been logged",
      });
    }
  };
}
