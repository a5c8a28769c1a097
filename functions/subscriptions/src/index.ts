// Functions-framework targets of the subscriptions function (run with shared/src/hosting/main.ts).
import { http } from "@google-cloud/functions-framework";
import { routes } from "./http.ts";
import { ready, relay, store } from "./service.ts";

const router = routes(store, ready);

http("api", async (req, res) => {
  await router.handle(req, res);
  // Publish what this request put in the outbox now rather than at the next sweep.
  if (req.method !== "GET") void relay.flush();
});
