// Functions-framework targets of the subscriptions function (run with shared/src/hosting/main.ts).
import { http } from "@google-cloud/functions-framework";
import { sendProblem } from "@stream-platform/shared";
import { routes } from "./http.ts";
import { ready, relay, store } from "./service.ts";

const router = routes(store);

http("api", async (req, res) => {
  try {
    await ready();
  } catch {
    sendProblem(res, {
      status: 503,
      title: "Service unavailable",
      detail: "the database is not ready",
      retryAfter: 5,
    });
    return;
  }
  await router.handle(req, res);
  // Publish what this request put in the outbox now rather than at the next sweep.
  if (req.method !== "GET") void relay.flush();
});
