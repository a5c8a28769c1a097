// Functions-framework targets of the search function (run with shared/src/hosting/main.ts):
//   api      HTTP: /api/search, /api/search/suggest
//   indexer  CloudEvents from the events, channels and users topics (KafkaSource)
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { indexer, ready, search } from "./service.ts";

const router = routes(search);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// Side by side: a batch-mode request's documents share bulk requests, and versions keep the
// index right whatever the order. Reminders change nothing searchable.
const sink = cloudEventTarget("side-by-side")
  .on(
    [
      "streamplatform.event.created",
      "streamplatform.event.updated",
      "streamplatform.event.cancelled",
      "streamplatform.event.live",
      "streamplatform.event.ended",
    ],
    (event) => indexer.indexEvent(event.data),
  )
  .on("streamplatform.channel.created", (event) => indexer.indexChannel(event.data))
  // A deleted account: its events come as event.deleted (from the events function), its
  // channels go here.
  .on("streamplatform.event.deleted", (event) => indexer.removeEvent(event.data))
  .on("streamplatform.user.deleted", (event) => indexer.removeChannels(event.data.channelIds));
http("indexer", whenReady(ready, sink.handle));
