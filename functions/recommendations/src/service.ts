// The recommendations function's state, one per process: MongoDB (RECOMMENDATIONS_DB), the
// store, what learns into it (the sink) and the model the API ranks from.
import { startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { Learner } from "./learn.ts";
import { ModelCache } from "./model-cache.ts";
import { RecommendationStore } from "./store.ts";

export const mongo = createMongoClient();
export const store = new RecommendationStore(
  mongo.db(process.env.RECOMMENDATIONS_DB ?? "recommendations"),
);
export const learner = new Learner(store);
export const models = new ModelCache(store);

export const ready = startupWork(() => store.ensureIndexes());

onShutdown(async () => {
  await mongo.close();
});
