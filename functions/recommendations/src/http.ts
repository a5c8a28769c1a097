// The recommendations HTTP API (through the edge: /api/me/recommendations): a person's "For
// you", ranked from their own history and follows; theirs alone (a session is required).
import { parseInput, Router, requireSession } from "@stream-platform/shared";
import type { Model } from "./model.ts";
import type { ModelCache } from "./model-cache.ts";
import { type Person, recommend } from "./rank.ts";
import { recommendationsQuery } from "./schemas.ts";

/** A person's "For you" as the API answers it. */
export function forYou(model: Model, person: Person, now: number, limit: number) {
  return recommend(model, person, now, limit).map(({ eventId, title, reason }) => ({
    eventId,
    title,
    reason,
  }));
}

export function routes(models: ModelCache, now = () => Date.now()) {
  const router = new Router();

  // Everything is in memory (model-cache.ts): no collection is read per request.
  router.on("GET", "/api/me/recommendations", async ({ req, query }) => {
    const { userId } = await requireSession(req);
    const { limit } = parseInput(recommendationsQuery, Object.fromEntries(query));
    const { model, people } = await models.current();
    const items = forYou(model, people.of(userId), now(), limit);
    return { status: 200, body: { items }, headers: { "cache-control": "private, no-store" } };
  });

  return router;
}
