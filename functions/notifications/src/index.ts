// Functions-framework targets of the notifications function (run with shared/src/hosting/main.ts):
//   api     HTTP: /api/me/notifications…
//   fanout  CloudEvents from the events and users topics (KafkaSource)
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { fanout, ready, store } from "./service.ts";

const router = routes(store);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// Which news each event.* CloudEvent is for its followers.
const sink = cloudEventTarget()
  .on("streamplatform.event.created", (event) => fanout.notify("event.scheduled", event))
  .on("streamplatform.event.updated", (event) => fanout.notify("event.updated", event))
  .on("streamplatform.event.reminder", (event) => fanout.notify("event.reminder", event))
  .on("streamplatform.event.live", (event) => fanout.notify("event.live", event))
  .on("streamplatform.event.cancelled", (event) => fanout.notify("event.cancelled", event))
  // A deleted account's inbox goes with it (from the users topic).
  .on("streamplatform.user.deleted", (event) => store.deleteInbox(event.data.userId));
http("fanout", whenReady(ready, sink.handle));
