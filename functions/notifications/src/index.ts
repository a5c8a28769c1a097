// Functions-framework targets of the notifications function (run with shared/src/hosting/main.ts):
//   api     HTTP: /api/me/notifications…
//   fanout  CloudEvents from the events topic (KafkaSource)
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { fanout, ready, store } from "./service.ts";

const router = routes(store);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

http(
  "fanout",
  whenReady(
    ready,
    cloudEventTarget(async (event) => {
      await fanout.apply(event);
    }),
  ),
);
