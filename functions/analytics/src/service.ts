// The analytics function's state, one per process: MongoDB (figures, beats), PostgreSQL (its
// schema ANALYTICS_DB_SCHEMA: the viewing history), the store, the event directory (events
// gRPC), the channels client, the publisher (beacons), the aggregator and the viewing history.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  grpcClient,
  metrics,
  serviceUrls,
  startupWork,
  untilSuccess,
} from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient } from "@stream-platform/shared/mongodb";
import { createSchemaPool, migrateSchema, schemaName } from "@stream-platform/shared/postgres";
import { Aggregator } from "./aggregator.ts";
import { EventDirectory } from "./events.ts";
import { History, HistoryReader } from "./history.ts";
import { HistoryStore } from "./history-store.ts";
import { AnalyticsStore } from "./store.ts";

export const mongo = createMongoClient();
const db = mongo.db(process.env.ANALYTICS_DB ?? "analytics");
export const store = new AnalyticsStore(db);
const schema = schemaName("ANALYTICS_DB_SCHEMA", process.env.ANALYTICS_DB_SCHEMA ?? "analytics");
export const pool = createSchemaPool(serviceUrls().databaseUrl, schema);
const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");
export const historyStore = new HistoryStore(db, pool);
export const publisher = new EventPublisher(createKafka("analytics"));

export const events = grpcClient((grpc) => new grpc.EventsClient());
export const directory = new EventDirectory(events);
export const channels = grpcClient((grpc) => new grpc.ChannelsClient());

export const aggregator = new Aggregator(store, directory);

// Concurrent viewers for the operator console, per event, from the aggregator's figures: an
// event's beats all reach one aggregator (its partition), so the series sum across instances.
const viewers = metrics.gauge(
  "live_viewers",
  "Viewers watching the event now (a beat within the last 30 s).",
  ["event"],
);
metrics.onCollect(() => {
  viewers.reset();
  for (const [event, count] of aggregator.viewersNow()) viewers.set({ event }, count);
});
export const history = new History(historyStore, (events) => publisher.publish(events));
export const historyReader = new HistoryReader(events, channels);

export const ready = startupWork(async () => {
  await store.ensureIndexes();
  await historyStore.ensureIndexes();
  await migrateSchema(pool, schema, migrations);
  await historyStore.copyFromMongo(db);
});

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
  await pool.end();
});
