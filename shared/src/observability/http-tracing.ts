// An HTTP request served is a span (kind server) of its caller's trace, named by its route
// pattern once a router matched it (`GET /api/events/:id`); a 5xx answer marks it failed. The
// answer names its trace in W3C Trace Context's `traceresponse` header (an error's trace, for
// whoever reports it).
import type { IncomingMessage, ServerResponse } from "node:http";
import { routeOf } from "./http-metrics.ts";
import { formatTraceparent, type Span, startSpan } from "./trace-context.ts";

export function traceRequest(req: IncomingMessage, res: ServerResponse): Span {
  const header = req.headers.traceparent;
  const method = req.method ?? "GET";
  const span = startSpan(method, {
    kind: "server",
    traceparent: typeof header === "string" ? header : undefined,
    // The path without its query: a query may carry a token.
    attributes: {
      "http.request.method": method,
      "url.path": (req.url ?? "/").split("?")[0] ?? "/",
    },
  });
  res.setHeader("traceresponse", formatTraceparent(span.context));
  res.once("close", () => {
    const route = routeOf(req);
    span.setName(`${method} ${route}`);
    const status = res.writableFinished ? res.statusCode : 499;
    span.setAttributes({ "http.route": route, "http.response.status_code": status });
    if (status >= 500) span.fail(`answered ${status}`);
    span.end();
  });
  return span;
}
