// Functions-framework targets of the subscriptions function (run with shared/src/hosting/main.ts).
import { http } from "@google-cloud/functions-framework";
import { whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { ready, relay, store } from "./service.ts";

const router = routes(store);

// After a write, publish what it put in the outbox now rather than at the next sweep.
http(
  "api",
  whenReady(
    ready,
    (req, res) => router.handle(req, res),
    () => void relay.flush(),
  ),
);
