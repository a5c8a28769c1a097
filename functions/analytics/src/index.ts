// Functions-framework targets of the analytics function (run with shared/src/hosting/main.ts):
//   api        HTTP: /api/analytics… (beacons in, figures out), /api/me/history (a person's own)
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
  history,
  historyReader,
  historyStore,
  publisher,
  ready,
  store,
} from "./service.ts";

const router = routes(
  store,
  directory,
  channels,
  events,
  publisher,
  historyStore,
  historyReader,
  history,
);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// A request's beats and stream events are aggregated together (see aggregator.ts); signed-in
// people's beats also make their viewing history (history.ts).
const sink = cloudEventTarget()
  .onBatch(
    [
      "streamplatform.viewer.heartbeat",
      "streamplatform.stream.started",
      "streamplatform.stream.ended",
    ],
    async (events) => {
      await aggregator.submit(events);
      await history.record(
        events.filter((event) => event.type === "streamplatform.viewer.heartbeat"),
      );
    },
  )
  // A deleted account: its channels' viewer records go, anonymous totals stay; what it watched
  // goes.
  .on("streamplatform.user.deleted", async (event) => {
    await aggregator.forgetChannels(event.data.channelIds);
    await history.forgetUser(event.data.userId);
  });
http("aggregate", whenReady(aggregatorReady, sink.handle));
