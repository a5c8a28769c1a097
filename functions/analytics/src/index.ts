// Functions-framework targets of the analytics function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/analytics… (beacons in, figures out)
//   aggregate  CloudEvents from the viewer-activity, streams and users topics (KafkaSource), in
//              batches
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import {
  aggregator,
  aggregatorReady,
  channels,
  directory,
  events,
  publisher,
  ready,
  store,
} from "./service.ts";

const router = routes(store, directory, channels, events, publisher);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// A request's beats and stream events are aggregated together (see aggregator.ts).
const sink = cloudEventTarget()
  .onBatch(
    [
      "streamplatform.viewer.heartbeat",
      "streamplatform.stream.started",
      "streamplatform.stream.ended",
    ],
    (events) => aggregator.submit(events),
  )
  // A deleted account's channels: their viewer records go, anonymous totals stay.
  .on("streamplatform.user.deleted", (event) => aggregator.forgetChannels(event.data.channelIds));
http("aggregate", whenReady(aggregatorReady, sink.handle));
