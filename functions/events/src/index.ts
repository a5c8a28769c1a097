// Functions-framework targets of the events function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/events…
//   lifecycle  CloudEvents from the streams topic (KafkaSource)
//   reminders  the PingSource's tick: queue event.reminder for events starting soon
import { http, type Request, type Response } from "@google-cloud/functions-framework";
import { sendProblem } from "@stream-platform/shared";
import { cloudEventTarget } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { applyStreamEvent } from "./lifecycle.ts";
import { channels, ready, relay, store } from "./service.ts";

const REMINDER_MINUTES = Number(process.env.REMINDER_MINUTES_BEFORE ?? 15);

/** Waits for start-up work; answers 503 (retried by callers and Knative) while it fails. */
function whenReady(handler: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response) => {
    try {
      await ready();
    } catch {
      sendProblem(res, {
        status: 503,
        title: "Service unavailable",
        detail: "the database is not ready",
        retryAfter: 5,
      });
      return;
    }
    await handler(req, res);
    // Publish what this request queued now rather than at the next sweep.
    if (req.method !== "GET") void relay.flush();
  };
}

const router = routes(store, { getChannel: (id) => channels().getChannel(id) });
http(
  "api",
  whenReady((req, res) => router.handle(req, res)),
);

http(
  "lifecycle",
  whenReady(
    cloudEventTarget((event) =>
      applyStreamEvent(
        store,
        { ownerOf: async (channelId) => (await channels().getChannel(channelId)).ownerId },
        event,
      ),
    ),
  ),
);

http(
  "reminders",
  whenReady(async (req, res) => {
    if (req.method !== "POST") {
      sendProblem(res, {
        status: 405,
        title: "Method not allowed",
        detail: "the PingSource POSTs here",
      });
      return;
    }
    const sent = await store.sendReminders(REMINDER_MINUTES);
    res.status(200).json({ sent });
  }),
);
