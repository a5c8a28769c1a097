// A CloudEvent sink as a functions-framework HTTP target: the event is read with the project's
// own HTTP binding and checked against the catalog, so an invalid event is answered 400 (which
// Knative does not retry: it goes straight to the dead letter) instead of failing inside the
// handler. The handler's own failure is a 500, which Knative retries.
import type { Request, Response } from "@google-cloud/functions-framework";
import { eventsFromHttp, UnsupportedContentType } from "../cloudevents/http-binding.ts";
import { type PlatformEvent, validatePlatformEvent } from "../cloudevents/platform-event.ts";
import { invalidInput, sendProblem } from "../http/problem.ts";

export function cloudEventTarget(handle: (event: PlatformEvent) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    let parsed: ReturnType<typeof eventsFromHttp>;
    try {
      parsed = eventsFromHttp(req.headers, req.rawBody ?? Buffer.alloc(0));
    } catch (error) {
      if (!(error instanceof UnsupportedContentType)) throw error;
      sendProblem(res, { status: 415, title: "Unsupported media type", detail: error.message });
      return;
    }
    if (!parsed.ok) {
      sendProblem(res, invalidInput(parsed.problems, "Invalid CloudEvent"));
      return;
    }
    for (const raw of parsed.value) {
      const event = validatePlatformEvent(raw);
      if (!event.ok) {
        sendProblem(res, invalidInput(event.problems, "Invalid CloudEvent"));
        return;
      }
      try {
        await handle(event.value);
      } catch (error) {
        console.error(
          JSON.stringify({
            level: "error",
            msg: "event handler failed",
            type: raw.type,
            id: raw.id,
            error: String(error),
          }),
        );
        sendProblem(res, {
          status: 500,
          title: "Handler failed",
          detail: "the event was not applied; it will be retried",
        });
        return;
      }
    }
    res.status(204).end();
  };
}
