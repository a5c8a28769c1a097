// A CloudEvent sink as a functions-framework HTTP target: the event is read with the project's
// own HTTP binding and checked against the catalog, so an invalid event is answered 400 (which
// Knative does not retry: it goes straight to the dead letter) instead of failing inside the
// handler. The handler's own failure is a 500, which Knative retries; an event the handler
// finds it can never apply (EventRefused) is a 422, which goes to the dead letter at once
// instead of holding its partition through every retry.
import type { ServerResponse } from "node:http";
import { type EventType, isEventType } from "../cloudevents/catalog.ts";
import type { CloudEventV1, FieldProblem } from "../cloudevents/format.ts";
import {
  eventsFromHttp,
  requestBody,
  UnsupportedContentType,
} from "../cloudevents/http-binding.ts";
import { type PlatformEvent, validatePlatformEvent } from "../cloudevents/platform-event.ts";
import { HttpProblem, invalidInput, sendHttpProblem, sendProblem } from "../http/problem.ts";
import { log } from "../log.ts";
import { setRoute } from "../observability/http-metrics.ts";
import { metrics } from "../observability/metrics.ts";
import { traced } from "../observability/trace-context.ts";
import type { RequestWithBody } from "./request-body.ts";
import { sinkCallerProblem } from "./sink-credential.ts";

const handled = metrics.counter(
  "cloudevents_handled_total",
  "CloudEvents received by this sink, by type and outcome (applied, ignored: no handler here, invalid, refused, failed).",
  ["type", "outcome"],
);
type Outcome = "applied" | "ignored" | "invalid" | "refused" | "failed";
// A type nobody catalogued is "unknown": a sender cannot make series at will.
const typeLabel = (type: unknown) =>
  typeof type === "string" && isEventType(type) ? type : "unknown";
const count = (events: readonly { type: unknown }[], outcome: Outcome) => {
  for (const event of events) handled.inc({ type: typeLabel(event.type), outcome });
};

/**
 * The CloudEvents of a request as the binding reads them (valid by the spec, not checked against
 * the catalog), or undefined after answering 413 (too large), 415 (not CloudEvents) or 400.
 */
async function readCloudEvents(
  req: RequestWithBody,
  res: ServerResponse,
): Promise<CloudEventV1[] | undefined> {
  let parsed: ReturnType<typeof eventsFromHttp>;
  try {
    parsed = eventsFromHttp(req.headers, await requestBody(req));
  } catch (error) {
    if (error instanceof HttpProblem) {
      sendHttpProblem(res, error);
      return undefined;
    }
    if (!(error instanceof UnsupportedContentType)) throw error;
    count([{ type: undefined }], "invalid");
    sendProblem(res, { status: 415, title: "Unsupported media type", detail: error.message });
    return undefined;
  }
  if (!parsed.ok) {
    count([{ type: undefined }], "invalid");
    sendProblem(res, invalidInput(parsed.problems, "Invalid CloudEvent"));
    return undefined;
  }
  return parsed.value;
}

/**
 * The CloudEvents of a request (binary, structured or batch mode), each checked against the
 * catalog; or undefined after answering 413 (too large), 415 (not CloudEvents) or 400 (naming
 * every field at fault, with `[i].` before it in a batch).
 */
export async function readPlatformEvents(
  req: RequestWithBody,
  res: ServerResponse,
): Promise<PlatformEvent[] | undefined> {
  const parsed = await readCloudEvents(req, res);
  if (!parsed) return undefined;
  const batch = parsed.length > 1 || (req.headers["content-type"] ?? "").includes("batch");
  const events: PlatformEvent[] = [];
  const problems: FieldProblem[] = [];
  parsed.forEach((raw, index) => {
    const checked = validatePlatformEvent(raw);
    if (checked.ok) events.push(checked.value);
    else
      problems.push(
        ...checked.problems.map((p) => (batch ? { ...p, field: `[${index}].${p.field}` } : p)),
      );
  });
  if (problems.length > 0) {
    // Nothing of the request is applied, the valid events of a batch neither.
    count(parsed, "invalid");
    sendProblem(res, invalidInput(problems, "Invalid CloudEvent"));
    return undefined;
  }
  return events;
}

/** Thrown by a handler for an event that no retry could ever apply (its channel is gone, say). */
export class EventRefused extends Error {}

function handlerFailed(
  res: ServerResponse,
  events: readonly { id: string; type: unknown }[],
  error: unknown,
): void {
  count(events, error instanceof EventRefused ? "refused" : "failed");
  if (error instanceof EventRefused) {
    log({
      level: "warn",
      msg: "event refused",
      ids: events.slice(0, 10).map((event) => event.id),
      reason: error.message,
    });
    sendProblem(res, { status: 422, title: "Event refused", detail: error.message });
    return;
  }
  log({
    level: "error",
    msg: "event handler failed",
    types: [...new Set(events.map((event) => event.type))],
    ids: events.slice(0, 10).map((event) => event.id),
    error: String(error),
  });
  sendProblem(res, {
    status: 500,
    title: "Handler failed",
    detail: "the event was not applied; it will be retried",
  });
}

/** A sink's caller check (the eventing data plane's credential), answered when it fails. */
async function callerAccepted(req: RequestWithBody, res: ServerResponse): Promise<boolean> {
  // One route for the request metrics and the server span, whatever path the source posts to.
  setRoute(req, "cloudevents");
  const refused = await sinkCallerProblem(req.headers.authorization);
  if (refused) sendProblem(res, refused);
  return !refused;
}

/** How a target runs the per-event handlers of one request. */
export type Dispatch = "in-order" | "side-by-side";

type AnyHandler = (event: PlatformEvent) => Promise<unknown>;

/**
 * A CloudEvent sink as a table of handlers by type, as the HTTP Router is a table by path:
 * `cloudEventTarget().on("streamplatform.stream.started", (event) => …)` hands the handler an
 * event whose `data` is already that type's, so one grep of a type finds every handler. The
 * handler shape is functions-framework's `cloudEvent` one (an event in, a promise out); the
 * HTTP answers stay ours (400 invalid, 422 refused, 500 retried), which the delivery policy
 * needs. Types without a handler are answered 204: the topic carries them for someone else.
 */
export class CloudEventTarget {
  private readonly handlers = new Map<EventType, AnyHandler>();
  private batch?: { types: Set<EventType>; handle: (events: PlatformEvent[]) => Promise<void> };

  /**
   * `in-order` (the default) applies a request's events one after another; `side-by-side` starts
   * them together (for handlers that are order-safe by themselves and share bulk writes).
   */
  constructor(private readonly dispatch: Dispatch = "in-order") {}

  /** The handler of one type, or of several whose data it handles alike. */
  on<T extends EventType>(
    type: T | readonly T[],
    handle: (event: PlatformEvent<T>) => Promise<unknown>,
  ): this {
    for (const one of typeof type === "string" ? [type] : type) {
      if (this.handlers.has(one) || this.batch?.types.has(one))
        throw new Error(`${one} has a handler already`);
      this.handlers.set(one, handle as AnyHandler);
    }
    return this;
  }

  /** One handler for all the request's events of these types together (to write them in bulk). */
  onBatch<T extends EventType>(
    types: readonly T[],
    handle: (events: PlatformEvent<T>[]) => Promise<void>,
  ): this {
    if (this.batch) throw new Error("a target has one batch handler");
    for (const one of types)
      if (this.handlers.has(one)) throw new Error(`${one} has a handler already`);
    this.batch = {
      types: new Set(types),
      handle: handle as (events: PlatformEvent[]) => Promise<void>,
    };
    return this;
  }

  /** The types this target handles. */
  types(): EventType[] {
    return [...this.handlers.keys(), ...(this.batch?.types ?? [])];
  }

  /** Applies events as a request would (without HTTP): what tests and the HTTP handler call. */
  async apply(events: PlatformEvent[]): Promise<void> {
    const batched = this.batch ? events.filter((event) => this.batch?.types.has(event.type)) : [];
    const single = events.filter((event) => this.handlers.has(event.type));
    // Each event's handling is a span of the trace the event carries (the distributed-tracing
    // extension), else of the request's.
    const run = (event: PlatformEvent) =>
      traced(
        `process ${event.type}`,
        {
          kind: "consumer",
          traceparent: event.extensions.traceparent,
          attributes: {
            "cloudevents.event_id": event.id,
            "cloudevents.event_type": event.type,
            "cloudevents.event_source": event.source,
          },
        },
        () => (this.handlers.get(event.type) as AnyHandler)(event),
      );
    const work: Promise<unknown>[] = [];
    if (batched.length > 0 && this.batch) work.push(this.batch.handle(batched));
    if (this.dispatch === "side-by-side") work.push(...single.map(run));
    else
      work.push(
        (async () => {
          for (const event of single) await run(event);
        })(),
      );
    await Promise.all(work);
  }

  /** The functions-framework HTTP handler. */
  readonly handle = async (req: RequestWithBody, res: ServerResponse): Promise<void> => {
    if (!(await callerAccepted(req, res))) return;
    const events = await readPlatformEvents(req, res);
    if (!events) return;
    try {
      await this.apply(events);
    } catch (error) {
      handlerFailed(res, events, error);
      return;
    }
    for (const event of events)
      handled.inc({
        type: event.type,
        outcome:
          this.handlers.has(event.type) || this.batch?.types.has(event.type)
            ? "applied"
            : "ignored",
      });
    res.writeHead(204).end();
  };
}

/**
 * A sink for CloudEvents of any type, valid by the spec but not necessarily by the catalog: the
 * dead letters (functions/ops), which hold whatever a catalogued sink refused. The same caller
 * check and answers as a CloudEventTarget's.
 */
export function anyCloudEventSink(
  handle: (events: CloudEventV1[]) => Promise<void>,
): (req: RequestWithBody, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (!(await callerAccepted(req, res))) return;
    const events = await readCloudEvents(req, res);
    if (!events) return;
    try {
      await handle(events);
    } catch (error) {
      handlerFailed(res, events, error);
      return;
    }
    count(events, "applied");
    res.writeHead(204).end();
  };
}

export function cloudEventTarget(dispatch?: Dispatch): CloudEventTarget {
  return new CloudEventTarget(dispatch);
}
