// POST /ce: CloudEvents in binary, structured or batch mode (HTTP protocol binding), checked
// against the event catalog and written to their topics. All or nothing: one invalid event in a
// batch refuses the whole batch, and nothing reaches Kafka.
import type { Request, Response } from "@google-cloud/functions-framework";
import { type CloudEventV1, sendProblem } from "@stream-platform/shared";
import { readPlatformEvents } from "@stream-platform/shared/hosting";

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
    const events = readPlatformEvents(req, res);
    if (!events) return;
    try {
      await publisher.publish(events);
    } catch (error) {
      sendProblem(res, {
        status: 503,
        title: "Event log unavailable",
        detail: `the events were not stored: ${(error as Error).message}`,
        retryAfter: 5,
      });
      return;
    }
    res.status(202).json({ accepted: events.length, ids: events.map((e) => e.id) });
  };
}
