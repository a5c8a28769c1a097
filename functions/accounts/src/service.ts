// The function's shared state, one per process: the pool, the store, the outbox relay, and the
// migrations, applied once at start (every handler waits for them).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  GrpcStatus,
  grpcClient,
  HttpProblem,
  isGrpcStatus,
  log,
  serviceUnavailable,
  startupWork,
  useAccountCheck,
} from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { Mailer } from "@stream-platform/shared/mail";
import { createPool, migrate, OutboxRelay } from "@stream-platform/shared/postgres";
import { Store } from "./store.ts";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

export const pool = createPool();
export const store = new Store(pool);
export const publisher = new EventPublisher(createKafka("accounts"));
export const relay = new OutboxRelay(pool, publisher);
export const mailer = new Mailer();

// Accounts live here: a session's account (and the session itself) is looked up in the store,
// never cached, so a deleted account's or an ended session's tokens stop here at once.
useAccountCheck((userId, sessionId) =>
  sessionId ? store.sessionExists(userId, sessionId) : store.user(userId).then(Boolean),
);

const events = grpcClient((grpc) => new grpc.EventsClient());

/** Whether a video event exists, asked of the events function (503 while it does not answer). */
export async function eventExists(id: string): Promise<boolean> {
  try {
    await (await events()).getEvent(id);
    return true;
  } catch (error) {
    if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return false;
    throw new HttpProblem(serviceUnavailable("the event cannot be told now; try again shortly", 2));
  }
}

/** Migrations; awaited by every handler, retried until they succeed. */
export const ready = startupWork(async () => {
  await migrate(pool, migrations, (message) => log({ level: "info", msg: message }));
});

onShutdown(async () => {
  await relay.stop();
  // Mail accepted before the answer went out is sent before the process ends.
  await mailer.close();
  events.close();
  await publisher.disconnect();
  await pool.end();
});
