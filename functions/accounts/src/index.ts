// Functions-framework targets of the accounts function (run with shared/src/hosting/main.ts).
import { http } from "@google-cloud/functions-framework";
import { whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { eventExists, mailer, ready, relay, store } from "./service.ts";

const router = routes(store, { exists: eventExists }, mailer);

// The targets here write (the gRPC server only reads), so this process relays its outbox:
// its periodic sweep, run once the store is ready, recovers what a crash left.
relay.start(ready);

// After a write, publish what it put in the outbox now rather than at the next sweep.
http(
  "api",
  whenReady(
    ready,
    (req, res) => router.handle(req, res),
    () => void relay.flush(),
  ),
);
