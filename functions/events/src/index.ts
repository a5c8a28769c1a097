// Functions-framework targets of the events function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/events…
//   lifecycle  CloudEvents from the streams and users topics (KafkaSource)
//   listing    the events' own CloudEvents (KafkaSource on the events topic): the list the API
//              answers from (listing.ts)
//   reminders  the PingSource's tick (every minute): queue event.reminder for events starting
//              soon, and end live events whose stream went unheard (commands.endLostStreams)
import { http } from "@google-cloud/functions-framework";
import { beginNow, GrpcDirectory } from "@stream-platform/shared";
import { cloudEventTarget, pingTarget, whenReady } from "@stream-platform/shared/hosting";
import { eraseOwner } from "./erasure.ts";
import { routes } from "./http.ts";
import { Lifecycle } from "./lifecycle.ts";
import { channels, commands, listing, listReady, publisher, relay, store } from "./service.ts";

const REMINDER_MINUTES = Number(process.env.REMINDER_MINUTES_BEFORE ?? 15);

// Every target here answers from the list or writes to it: its start-up work begins now.
beginNow(listReady);

// The targets here write (the gRPC server only reads), so this process relays its outbox:
// its periodic sweep, run once the store is ready, recovers what a crash left.
relay.start(listReady);

// After a write, publish what it queued now rather than at the next sweep.
const flush = () => void relay.flush();

// A channel's owner never changes: asked once per channel (NOT_FOUND: no such channel).
const channelOwners = new GrpcDirectory(
  async (channelId) => (await (await channels()).getChannel(channelId)).ownerId,
);

const router = routes(commands, listing, {
  getChannel: async (id) => (await channels()).getChannel(id),
});
http(
  "api",
  whenReady(listReady, (req, res) => router.handle(req, res), flush),
);

const lifecycle = new Lifecycle(commands, {
  ownerOf: (channelId) => channelOwners.lookup(channelId),
});
const streams = cloudEventTarget()
  .on("streamplatform.stream.started", (event) => lifecycle.streamStarted(event))
  .on("streamplatform.stream.alive", (event) => lifecycle.streamAlive(event))
  .on("streamplatform.stream.poster", (event) => lifecycle.streamPoster(event))
  .on("streamplatform.poster.uploaded", (event) => lifecycle.posterUploaded(event))
  .on("streamplatform.stream.ended", (event) => lifecycle.streamEnded(event))
  .on("streamplatform.recording.ready", (event) => lifecycle.recordingReady(event))
  // The account is gone: so are its events (erasure.ts).
  .on("streamplatform.user.deleted", (event) =>
    eraseOwner(store, listing, publisher, event.data.userId),
  );
http("lifecycle", whenReady(listReady, streams.handle, flush));

// Versions keep the list right whatever the order, so a request's events are written together.
const listed = cloudEventTarget().onBatch(
  [
    "streamplatform.event.created",
    "streamplatform.event.updated",
    "streamplatform.event.cancelled",
    "streamplatform.event.live",
    "streamplatform.event.ended",
    "streamplatform.event.deleted",
  ],
  (events) =>
    listing.record(
      events.map((event) => ({
        data: event.data,
        deleted: event.type === "streamplatform.event.deleted",
      })),
    ),
);
http("listing", whenReady(listReady, listed.handle));

http(
  "reminders",
  whenReady(
    listReady,
    pingTarget(async () => ({
      sent: await commands.sendReminders(REMINDER_MINUTES),
      lost: await commands.endLostStreams(),
    })),
    flush,
  ),
);
