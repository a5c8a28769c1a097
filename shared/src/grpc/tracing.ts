// gRPC calls in the trace of the work that makes them: the client sends its span as the
// `traceparent` metadata entry (W3C Trace Context's gRPC carrier), the server handles each call
// as a span of it. Client spans are made only when spans are exported; the context always goes.
import * as grpc from "@grpc/grpc-js";
import {
  currentTraceparent,
  formatTraceparent,
  inSpan,
  type Span,
  spansRecorded,
  startSpan,
} from "../observability/trace-context.ts";

const statusName = (code: number) => grpc.status[code] ?? String(code);

function ended(span: Span, code: number, details: string): void {
  span.setAttributes({ "rpc.grpc.status_code": code });
  if (code !== grpc.status.OK) span.fail(`${statusName(code)}: ${details}`);
  span.end();
}

/** The client side: the call carries the trace; with export on, it is a span of its own. */
export const traceCalls: grpc.Interceptor = (options, nextCall) => {
  const path = options.method_definition.path;
  const span = spansRecorded()
    ? startSpan(path.slice(1), {
        kind: "client",
        attributes: { "rpc.system": "grpc", "rpc.method": path },
      })
    : undefined;
  const traceparent = span ? formatTraceparent(span.context) : currentTraceparent();
  return new grpc.InterceptingCall(nextCall(options), {
    start: (metadata, _listener, next) => {
      if (traceparent) metadata.set("traceparent", traceparent);
      next(metadata, {
        onReceiveStatus: (status, pass) => {
          if (span) ended(span, status.code, status.details);
          pass(status);
        },
      });
    },
  });
};

// Every server call has metadata and is an EventEmitter, whatever its streaming.
type Handler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback?: grpc.sendUnaryData<unknown>,
) => void;

/** The server side: each handler runs as a span of the caller's trace (its `traceparent`). */
export function traceHandlers(
  service: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
): grpc.UntypedServiceImplementation {
  const paths = new Map<string, string>();
  for (const [name, method] of Object.entries(service)) {
    paths.set(name, method.path);
    if (method.originalName) paths.set(method.originalName, method.path);
  }
  return Object.fromEntries(
    Object.entries(implementation).map(([name, handler]) => {
      const path = paths.get(name) ?? name;
      const traced: Handler = (call, callback) => {
        const [header] = call.metadata.get("traceparent");
        const span = startSpan(path.slice(1), {
          kind: "server",
          traceparent: typeof header === "string" ? header : undefined,
          attributes: { "rpc.system": "grpc", "rpc.method": path },
        });
        if (callback) {
          // Unary (or client streaming): the answer is given through the callback.
          inSpan(span, () =>
            (handler as Handler)(call, (error, value, ...rest) => {
              const message = error && "message" in error ? error.message : "";
              ended(span, error?.code ?? grpc.status.OK, error?.details ?? message);
              callback(error, value, ...rest);
            }),
          );
          return;
        }
        // Server streaming: done when the stream is, or when the caller gives up.
        call.once("finish", () => ended(span, grpc.status.OK, ""));
        call.once("cancelled", () => ended(span, grpc.status.CANCELLED, "the caller gave up"));
        call.once("error", (error: grpc.ServiceError) =>
          ended(span, error.code ?? grpc.status.UNKNOWN, error.message),
        );
        inSpan(span, () => (handler as Handler)(call));
      };
      return [name, traced];
    }),
  );
}
