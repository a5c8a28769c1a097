// Functions-framework targets of the recommendations function (run with
// shared/src/hosting/main.ts):
//   api    HTTP: /api/me/recommendations (a person's "For you")
//   learn  CloudEvents from the events, history, subscriptions and users topics (KafkaSource)
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { learner, models, ready } from "./service.ts";

const router = routes(models);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// Side by side: every write is idempotent and order-proof (store.ts).
const sink = cloudEventTarget("side-by-side")
  .on("streamplatform.event.created", (event) => learner.created(event))
  .on(
    [
      "streamplatform.event.updated",
      "streamplatform.event.cancelled",
      "streamplatform.event.live",
      "streamplatform.event.ended",
    ],
    (event) => learner.snapshot(event.data),
  )
  .on("streamplatform.event.deleted", (event) => learner.gone(event.data))
  .on("streamplatform.history.updated", (event) => learner.watched(event.data))
  .on("streamplatform.history.cleared", (event) => learner.cleared(event.data))
  .on(["streamplatform.subscription.created", "streamplatform.subscription.deleted"], (event) =>
    learner.subscription(event),
  )
  .on("streamplatform.user.deleted", (event) => learner.forget(event.data));
http("learn", whenReady(ready, sink.handle));
