// The notifications function's state, one per process: MongoDB, the inbox, the publisher and
// the subscriptions client; indexes created once at start (retried until they are).
import { grpcClient, startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { Fanout } from "./fanout.ts";
import { InboxStore } from "./store.ts";

export const mongo = createMongoClient();
export const store = new InboxStore(mongo.db(process.env.NOTIFICATIONS_DB ?? "notifications"));
export const publisher = new EventPublisher(createKafka("notifications"));

/** Only the fan-out needs it. */
const subscribers = grpcClient((grpc) => new grpc.SubscriptionsClient());

export const fanout = new Fanout(
  store,
  {
    async *listSubscriberBatches(targets) {
      yield* (await subscribers()).listSubscriberBatches(targets);
    },
  },
  publisher,
);

export const ready = startupWork(() => store.ensureIndexes());

onShutdown(async () => {
  await publisher.disconnect();
  subscribers.close();
  await mongo.close();
});
