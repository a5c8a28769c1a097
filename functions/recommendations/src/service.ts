// The recommendations function's state, one per process: MongoDB (RECOMMENDATIONS_DB), the
// store, what learns into it (the sink, which also tells of recommended events through Kafka)
// and the model the API ranks from.
import { startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { Learner } from "./learn.ts";
import { ModelCache } from "./model-cache.ts";
import { RecommendationStore } from "./store.ts";

export const mongo = createMongoClient();
export const store = new RecommendationStore(
  mongo.db(process.env.RECOMMENDATIONS_DB ?? "recommendations"),
);
export const publisher = new EventPublisher(createKafka("recommendations"));
export const learner = new Learner(store, (events) => publisher.publish(events));
export const models = new ModelCache(store);

export const ready = startupWork(() => store.ensureIndexes());

onShutdown(async () => {
  await publisher.disconnect();
  await mongo.close();
});
