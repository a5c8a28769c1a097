// Functions-framework targets of the ops function (run with shared/src/hosting/main.ts):
//   api     HTTP: /api/ops/… (the operator console; the operator role only)
//   record  CloudEvents of the dead-letter topic (KafkaSource): kept for the console
import { http } from "@google-cloud/functions-framework";
import { anyCloudEventSink, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { metrics, publisher, ready, store, traces } from "./service.ts";

const router = routes({
  store,
  metrics,
  traces,
  publish: (event) => publisher.publish([event]),
});
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// Any CloudEvent: a dead letter is whatever a sink refused, catalogued or not.
const record = anyCloudEventSink(async (events) => {
  for (const event of events) await store.record(event);
});
http("record", whenReady(ready, record));
