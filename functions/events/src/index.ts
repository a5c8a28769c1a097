// Functions-framework targets of the events function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/events…
//   lifecycle  CloudEvents from the streams topic (KafkaSource)
//   reminders  the PingSource's tick: queue event.reminder for events starting soon
import { http } from "@google-cloud/functions-framework";
import { GrpcStatus, isGrpcStatus, sendProblem } from "@stream-platform/shared";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { applyStreamEvent } from "./lifecycle.ts";
import { channels, ready, relay, store } from "./service.ts";

const REMINDER_MINUTES = Number(process.env.REMINDER_MINUTES_BEFORE ?? 15);

// The targets here write (the gRPC server only reads), so this process relays its outbox:
// its periodic sweep, run once the store is ready, recovers what a crash left.
relay.start(ready);

// After a write, publish what it queued now rather than at the next sweep.
const flush = () => void relay.flush();

const router = routes(store, { getChannel: async (id) => (await channels()).getChannel(id) });
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res), flush),
);

http(
  "lifecycle",
  whenReady(
    ready,
    cloudEventTarget((event) =>
      applyStreamEvent(
        store,
        {
          ownerOf: (channelId) =>
            channels()
              .then((client) => client.getChannel(channelId))
              .then(
                (channel) => channel.ownerId,
                (error: unknown) => {
                  if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return undefined;
                  throw error;
                },
              ),
        },
        event,
      ),
    ),
    flush,
  ),
);

http(
  "reminders",
  whenReady(
    ready,
    async (req, res) => {
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
    },
    flush,
  ),
);
