// POST /ce: CloudEvents in binary, structured or batch mode (HTTP protocol binding), checked
// against the event catalog and written to their topics. All or nothing: one invalid event in a
// batch refuses the whole batch, and nothing reaches Kafka.
import type { Request, Response } from "@google-cloud/functions-framework";
import {
  type CloudEventV1,
  eventsFromHttp,
  type FieldProblem,
  invalidInput,
  sendProblem,
  UnsupportedContentType,
  validatePlatformEvent,
} from "@stream-platform/shared";

export interface Publisher {
  publish(events: CloudEventV1[]): Promise<void>;
}

export function createIngest(publisher: Publisher) {
  return async function ingest(req: Request, res: Response): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendProblem(res, {
        status: 405,
        title: "Method not allowed",
        detail: "post CloudEvents to this URL",
      });
      return;
    }
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
    const batch = parsed.value.length > 1 || req.headers["content-type"]?.includes("batch");
    const problems: FieldProblem[] = [];
    parsed.value.forEach((event, index) => {
      const checked = validatePlatformEvent(event);
      if (!checked.ok) {
        problems.push(
          ...checked.problems.map((p) => (batch ? { ...p, field: `[${index}].${p.field}` } : p)),
        );
      }
    });
    if (problems.length > 0) {
      sendProblem(res, invalidInput(problems, "Invalid CloudEvent"));
      return;
    }
    try {
      await publisher.publish(parsed.value);
    } catch (error) {
      sendProblem(res, {
        status: 503,
        title: "Event log unavailable",
        detail: `the events were not stored: ${(error as Error).message}`,
        retryAfter: 5,
      });
      return;
    }
    res.status(202).json({ accepted: parsed.value.length, ids: parsed.value.map((e) => e.id) });
  };
}
