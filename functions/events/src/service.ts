// The events function's state, one per process: MongoDB, the store and its commands, the outbox relay, the
// channel client, and the indexes, created once at start (retried until they are).
import { grpcClient, startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient, MongoOutboxRelay } from "@stream-platform/shared/mongodb";
import { EventCommands } from "./commands.ts";
import { type EventDoc, EventStore, lockKey } from "./store.ts";

export const mongo = createMongoClient();
export const store = new EventStore(mongo.db(process.env.EVENTS_DB ?? "events"));
export const commands = new EventCommands(store);
export const publisher = new EventPublisher(createKafka("events"));
// Every write flushes at once; the sweep only recovers what a crash left, so it can be slow.
export const relay = new MongoOutboxRelay<EventDoc>(store.events, publisher, {
  locks: store.locks,
  lockKey,
  sweepMs: 10_000,
});

/** The gRPC target of this function does not need it. */
export const channels = grpcClient((grpc) => new grpc.ChannelsClient());

export const ready = startupWork(async () => {
  await store.ensureIndexes();
});

onShutdown(async () => {
  await relay.stop();
  await publisher.disconnect();
  channels.close();
  await mongo.close();
});
