// Functions-framework targets of the chat function (run with shared/src/hosting/main.ts):
//   api   HTTP: /api/chat…
//   sink  CloudEvents from the streams, subscriptions and users topics (KafkaSource): when
//         each event's stream started (messages' offsets in the recording), who follows which
//         channel (followers-only mode), and deleted accounts (forgotten)
import { http } from "@google-cloud/functions-framework";
import { adHocEventId, type PlatformEvent } from "@stream-platform/shared";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { ready, relay, store } from "./service.ts";

const router = routes(store);

// This process writes, so it relays its outbox: the sweep recovers what a crash left behind.
relay.start(ready);

// Writes relay what they put in the outbox at once rather than at the next sweep: a post
// publishes its own event, a deletion flushes the relay (messages.ts).
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

/** Followers-only mode needs who follows which channel; follows of single events do not count. */
const follows = (
  event: PlatformEvent<
    "streamplatform.subscription.created" | "streamplatform.subscription.deleted"
  >,
  following: boolean,
) =>
  event.data.target.kind === "channel"
    ? store.following(
        event.data.target.id,
        event.data.userId,
        following,
        new Date(event.time ?? Date.now()),
      )
    : Promise.resolve();

const sink = cloudEventTarget()
  // A stream nobody scheduled belongs to the ad-hoc event derived from this CloudEvent's id.
  .on("streamplatform.stream.started", (event) =>
    store.streamStarted(
      event.data.eventId ?? adHocEventId(event.id),
      new Date(event.data.startedAt),
    ),
  )
  .on("streamplatform.subscription.created", (event) => follows(event, true))
  .on("streamplatform.user.deleted", (event) =>
    store.forgetUser(event.data.userId, event.data.channelIds),
  )
  .on("streamplatform.subscription.deleted", (event) => follows(event, false));
http("sink", whenReady(ready, sink.handle));
