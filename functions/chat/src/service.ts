// The chat function's state, one per process: its PostgreSQL schema (CHAT_DB_SCHEMA, created
// and migrated at start, retried until it is), the outbox relay and publisher, who events and
// people are (over gRPC, cached), and the per-person and per-address rate limits.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BoundedMap,
  GrpcDirectory,
  GrpcStatus,
  grpcClient,
  HttpProblem,
  isGrpcStatus,
  RateLimiter,
  serviceUnavailable,
  serviceUrls,
  startupWork,
} from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import {
  createSchemaPool,
  migrateSchema,
  OutboxRelay,
  schemaName,
} from "@stream-platform/shared/postgres";
import { ChatStore } from "./store.ts";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

/** A schema of its own in the platform's database (tests and benchmarks name another). */
export const schema = schemaName("CHAT_DB_SCHEMA", process.env.CHAT_DB_SCHEMA ?? "chat");

export const pool = createSchemaPool(
  process.env.CHAT_DATABASE_URL ?? serviceUrls().databaseUrl,
  schema,
);
export const store = new ChatStore(pool);
export const publisher = new EventPublisher(createKafka("chat"));
export const relay = new OutboxRelay(pool, publisher);

export const ready = startupWork(() => migrateSchema(pool, schema, migrations));

/** Another function that does not answer is a 503 to the caller (try again), not a 500. */
async function asked<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) throw error;
    throw new HttpProblem(serviceUnavailable(`${what} cannot be told now; try again shortly`, 2));
  }
}

const events = grpcClient((grpc) => new grpc.EventsClient());
const accounts = grpcClient((grpc) => new grpc.AccountsClient());
const channels = grpcClient((grpc) => new grpc.ChannelsClient());

export interface Room {
  eventId: string;
  channelId: string;
  ownerId: string;
  status: string;
}

/** An event's channel and owner never change; its status does: known for a few seconds. */
const rooms = new BoundedMap<string, { room: Room; until: number }>(10_000);
const ROOM_TTL_MS = 3000;

/** The room of an event (undefined: no such event). */
export async function roomOf(eventId: string): Promise<Room | undefined> {
  const cached = rooms.get(eventId);
  if (cached && cached.until > Date.now()) return cached.room;
  let found: Awaited<ReturnType<Awaited<ReturnType<typeof events>>["getEvent"]>>;
  try {
    found = await asked("the event", async () => (await events()).getEvent(eventId));
  } catch (error) {
    if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return undefined;
    throw error;
  }
  const room = {
    eventId,
    channelId: found.channelId,
    ownerId: found.ownerId,
    status: found.status,
  };
  rooms.set(eventId, { room, until: Date.now() + ROOM_TTL_MS });
  return room;
}

/** A channel's owner (never changes); undefined: no such channel. */
export const channelOwners = new GrpcDirectory(async (channelId) =>
  asked("the channel", async () => (await channels()).getChannel(channelId)).then((c) => c.ownerId),
);

/** Who posts under which name: asked once per person and process. */
export const authors = new GrpcDirectory(async (userId) => {
  const account = await asked("the author", async () => (await accounts()).getAccount(userId));
  return account.displayName || "someone";
});

const rate = (name: string, perSecond: number, burst: number) =>
  new RateLimiter(
    Number(process.env[`${name}_PER_SECOND`] ?? perSecond),
    Number(process.env[`${name}_BURST`] ?? burst),
  );

/** Per person: a burst of 5, then 1 a second (slow mode, per room, can ask for less). */
export const personLimit = rate("CHAT_PERSON_RATE", 1, 5);
/** Per address (several people behind one address): 20 a second. */
export const addressLimit = rate("CHAT_ADDRESS_RATE", 20, 40);

onShutdown(async () => {
  await relay.stop();
  await publisher.disconnect();
  events.close();
  accounts.close();
  channels.close();
  await pool.end();
});
