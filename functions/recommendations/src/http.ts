// The recommendations HTTP API (through the edge: /api/me/recommendations): a person's "For
// you", ranked from their own history and follows; theirs alone (a session is required).
import { parseInput, Router, requireSession } from "@stream-platform/shared";
import type { Model } from "./model.ts";
import type { ModelCache } from "./model-cache.ts";
import { recommend } from "./rank.ts";
import { recommendationsQuery } from "./schemas.ts";
import type { RecommendationStore } from "./store.ts";

/** A person's "For you" as the API answers it, from the model and what the store holds of them. */
export function forYou(
  model: Model,
  person: Awaited<ReturnType<RecommendationStore["person"]>>,
  now: number,
  limit: number,
) {
  return recommend(
    model,
    {
      watched: person.views.map((v) => ({
        eventId: v.eventId,
        seconds: v.seconds,
        at: v.at.getTime(),
      })),
      follows: person.follows,
    },
    now,
    limit,
  ).map(({ eventId, title, reason }) => ({ eventId, title, reason }));
}

export function routes(store: RecommendationStore, models: ModelCache, now = () => Date.now()) {
  const router = new Router();

  router.on("GET", "/api/me/recommendations", async ({ req, query }) => {
    const { userId } = await requireSession(req);
    const { limit } = parseInput(recommendationsQuery, Object.fromEntries(query));
    const [model, person] = await Promise.all([models.current(), store.person(userId)]);
    const items = forYou(model, person, now(), limit);
    return { status: 200, body: { items }, headers: { "cache-control": "private, no-store" } };
  });

  return router;
}
