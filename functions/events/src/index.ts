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
import {
  channels,
  commands,
  listing,
  listReady,
  publisher,
  ready,
  relay,
  store,
} from "./service.ts";
import { toView } from "./views.ts";

const REMINDER_MINUTES = Number(process.env.REMINDER_MINUTES_BEFORE ?? 15);

// The API answers from the list and the listing sink writes it: they wait for it. The other
// writers show their changes there too, but only as well as they can (the sink brings what they
// could not), so they wait for the store alone: PostgreSQL away never holds up an event's life.
beginNow(listReady);

// The targets here write (the gRPC server only reads), so this process relays its outbox:
// its periodic sweep, run once the store is ready, recovers what a crash left.
relay.start(ready);

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
http("lifecycle", whenReady(ready, streams.handle, flush));

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
  async (events) => {
    const partial = await listing.record(
      events.map((event) => ({
        data: event.data,
        deleted: event.type === "streamplatform.event.deleted",
      })),
    );
    // Snapshots from an instance that predates whole-view snapshots (a rollout): the events as
    // stored now, which is at least as new.
    const stored = await Promise.all(partial.map((id) => store.get(id)));
    await listing.put(stored.flatMap((doc) => (doc ? [toView(doc)] : [])));
  },
);
http("listing", whenReady(listReady, listed.handle));

http(
  "reminders",
  whenReady(
    ready,
    pingTarget(async () => ({
      sent: await commands.sendReminders(REMINDER_MINUTES),
      lost: await commands.endLostStreams(),
    })),
    flush,
  ),
);
