// The analytics function's state, one per process: MongoDB, the store, the event directory
// (events gRPC), the channels client, the publisher (beacons) and the aggregator.
import { grpcClient, startupWork, untilSuccess } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { Aggregator } from "./aggregator.ts";
import { EventDirectory } from "./events.ts";
import { AnalyticsStore } from "./store.ts";

export const mongo = createMongoClient();
export const store = new AnalyticsStore(mongo.db(process.env.ANALYTICS_DB ?? "analytics"));
export const publisher = new EventPublisher(createKafka("analytics"));

export const events = grpcClient((grpc) => new grpc.EventsClient());
export const directory = new EventDirectory(events);
export const channels = grpcClient((grpc) => new grpc.ChannelsClient());

export const aggregator = new Aggregator(store, directory);

export const ready = startupWork(() => store.ensureIndexes());

/** The aggregator's start: what a crashed run left is applied before any new batch. */
export const aggregatorReady = untilSuccess(async () => {
  await ready();
  await aggregator.recover();
  aggregator.startSweeping();
});

onShutdown(async () => {
  aggregator.stop();
  await publisher.disconnect();
  events.close();
  channels.close();
  await mongo.close();
});
