// Functions-framework targets of the events function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/events…
//   lifecycle  CloudEvents from the streams and users topics (KafkaSource)
//   reminders  the PingSource's tick (every minute): queue event.reminder for events starting
//              soon, and end live events whose stream went unheard (commands.endLostStreams)
import { http } from "@google-cloud/functions-framework";
import { GrpcDirectory } from "@stream-platform/shared";
import { cloudEventTarget, pingTarget, whenReady } from "@stream-platform/shared/hosting";
import { eraseOwner } from "./erasure.ts";
import { routes } from "./http.ts";
import { Lifecycle } from "./lifecycle.ts";
import { channels, commands, publisher, ready, relay, store } from "./service.ts";

const REMINDER_MINUTES = Number(process.env.REMINDER_MINUTES_BEFORE ?? 15);

// The targets here write (the gRPC server only reads), so this process relays its outbox:
// its periodic sweep, run once the store is ready, recovers what a crash left.
relay.start(ready);

// After a write, publish what it queued now rather than at the next sweep.
const flush = () => void relay.flush();

// A channel's owner never changes: asked once per channel (NOT_FOUND: no such channel).
const channelOwners = new GrpcDirectory(
  async (channelId) => (await (await channels()).getChannel(channelId)).ownerId,
);

const router = routes(commands, { getChannel: async (id) => (await channels()).getChannel(id) });
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res), flush),
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
  .on("streamplatform.user.deleted", (event) => eraseOwner(store, publisher, event.data.userId));
http("lifecycle", whenReady(ready, streams.handle, flush));

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
