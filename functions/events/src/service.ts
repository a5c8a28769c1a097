// The events function's state, one per process: MongoDB (the source of truth), the store and its
// commands, the outbox relay, the list in PostgreSQL (its schema EVENTS_DB_SCHEMA), the channel
// client, and what start-up does once (indexes, the list's migrations and backfill), retried
// until it is done.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  grpcClient,
  log,
  serviceUrls,
  startupWork,
  untilSuccess,
  within,
} from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { createMongoClient, MongoOutboxRelay } from "@stream-platform/shared/mongodb";
import { createSchemaPool, migrateSchema, schemaName } from "@stream-platform/shared/postgres";
import { EventCommands } from "./commands.ts";
import { EventListing } from "./listing.ts";
import { type EventDoc, EventStore, lockKey } from "./store.ts";
import { toView } from "./views.ts";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

export const mongo = createMongoClient();
export const store = new EventStore(mongo.db(process.env.EVENTS_DB ?? "events"));
const schema = schemaName("EVENTS_DB_SCHEMA", process.env.EVENTS_DB_SCHEMA ?? "events");
export const pool = createSchemaPool(serviceUrls().databaseUrl, schema);
export const listing = new EventListing(pool);

/**
 * Shows a change in the list at once, so its author sees it in the next list. If that fails, the
 * change's CloudEvent brings it there (the listing sink): the write itself stands.
 */
async function listChange(doc: EventDoc): Promise<void> {
  // It runs under the event's lock: a PostgreSQL that hangs must not hold the command.
  await within(LIST_CHANGE_MS, listing.put([toView(doc)])).catch((error: unknown) =>
    log({
      level: "warn",
      msg: "events list: a change waits for its CloudEvent",
      id: doc._id,
      error: String(error),
    }),
  );
}
const LIST_CHANGE_MS = 2000;

export const commands = new EventCommands(store, listChange);
export const publisher = new EventPublisher(createKafka("events"));
// Every write flushes at once; the sweep only recovers what a crash left, so it can be slow.
export const relay = new MongoOutboxRelay<EventDoc>(store.events, publisher, {
  locks: store.locks,
  lockKey,
  sweepMs: 10_000,
});

/** The gRPC target of this function does not need it. */
export const channels = grpcClient((grpc) => new grpc.ChannelsClient());

/** The store's indexes: all the gRPC server (which only reads the store) waits for. */
export const ready = startupWork(() => store.ensureIndexes());

/**
 * The store, and the list migrated and holding every event: what the other targets wait for
 * (begun by the first call: index.ts's relay, at once; never in the gRPC server).
 */
export const listReady = untilSuccess(async () => {
  await ready();
  await migrateSchema(pool, schema, migrations);
  await listing.backfill(async function* () {
    for await (const docs of store.scan()) yield docs.map(toView);
  });
});

onShutdown(async () => {
  await relay.stop();
  await publisher.disconnect();
  channels.close();
  await mongo.close();
  await pool.end();
});
