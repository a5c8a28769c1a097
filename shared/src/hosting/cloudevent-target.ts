// A CloudEvent sink as a functions-framework HTTP target: the event is read with the project's
// own HTTP binding and checked against the catalog, so an invalid event is answered 400 (which
// Knative does not retry: it goes straight to the dead letter) instead of failing inside the
// handler. The handler's own failure is a 500, which Knative retries; an event the handler
// finds it can never apply (EventRefused) is a 422, which goes to the dead letter at once
// instead of holding its partition through every retry.
import type { Request, Response } from "@google-cloud/functions-framework";
import type { FieldProblem } from "../cloudevents/format.ts";
import { eventsFromHttp, UnsupportedContentType } from "../cloudevents/http-binding.ts";
import { type PlatformEvent, validatePlatformEvent } from "../cloudevents/platform-event.ts";
import { invalidInput, sendProblem } from "../http/problem.ts";

/**
 * The CloudEvents of a request (binary, structured or batch mode), each checked against the
 * catalog; or undefined after answering 415 (not CloudEvents) or 400 (naming every field at
 * fault, with `[i].` before it in a batch).
 */
export function readPlatformEvents(req: Request, res: Response): PlatformEvent[] | undefined {
  let parsed: ReturnType<typeof eventsFromHttp>;
  try {
    parsed = eventsFromHttp(req.headers, req.rawBody ?? Buffer.alloc(0));
  } catch (error) {
    if (!(error instanceof UnsupportedContentType)) throw error;
    sendProblem(res, { status: 415, title: "Unsupported media type", detail: error.message });
    return undefined;
  }
  if (!parsed.ok) {
    sendProblem(res, invalidInput(parsed.problems, "Invalid CloudEvent"));
    return undefined;
  }
  const batch = parsed.value.length > 1 || (req.headers["content-type"] ?? "").includes("batch");
  const events: PlatformEvent[] = [];
  const problems: FieldProblem[] = [];
  parsed.value.forEach((raw, index) => {
    const checked = validatePlatformEvent(raw);
    if (checked.ok) events.push(checked.value);
    else
      problems.push(
        ...checked.problems.map((p) => (batch ? { ...p, field: `[${index}].${p.field}` } : p)),
      );
  });
  if (problems.length > 0) {
    sendProblem(res, invalidInput(problems, "Invalid CloudEvent"));
    return undefined;
  }
  return events;
}

/** Thrown by a handler for an event that no retry could ever apply (its channel is gone, say). */
export class EventRefused extends Error {}

function handlerFailed(res: Response, events: PlatformEvent[], error: unknown): void {
  if (error instanceof EventRefused) {
    console.error(
      JSON.stringify({
        level: "warn",
        msg: "event refused",
        ids: events.slice(0, 10).map((event) => event.id),
        reason: error.message,
      }),
    );
    sendProblem(res, { status: 422, title: "Event refused", detail: error.message });
    return;
  }
  console.error(
    JSON.stringify({
      level: "error",
      msg: "event handler failed",
      types: [...new Set(events.map((event) => event.type))],
      ids: events.slice(0, 10).map((event) => event.id),
      error: String(error),
    }),
  );
  sendProblem(res, {
    status: 500,
    title: "Handler failed",
    detail: "the event was not applied; it will be retried",
  });
}

/** A sink whose handler takes the request's events together (to write them in bulk, say). */
export function cloudEventBatchTarget(handle: (events: PlatformEvent[]) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    const events = readPlatformEvents(req, res);
    if (!events) return;
    try {
      await handle(events);
    } catch (error) {
      handlerFailed(res, events, error);
      return;
    }
    res.status(204).end();
  };
}

/** A sink that applies the request's events one after another, in their order. */
export function cloudEventTarget(handle: (event: PlatformEvent) => Promise<void>) {
  return cloudEventBatchTarget(async (events) => {
    for (const event of events) await handle(event);
  });
}
