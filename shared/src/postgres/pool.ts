// PostgreSQL connections for a function: one pool per process, from DATABASE_URL.
import pg from "pg";
import { serviceUrls } from "../config.ts";
import { log } from "../log.ts";
import { traceQueries } from "../observability/db-tracing.ts";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(
  connectionString = serviceUrls().databaseUrl,
  max = 10,
  options: Pick<pg.PoolConfig, "idleTimeoutMillis"> = {},
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000, ...options });
  const database = new URL(connectionString).pathname.slice(1) || "postgres";
  pool.on("connect", (client) => {
    traceQueries(client, database);
    // A checked-out client (pool.connect(): a transaction, the outbox's sweep) that loses its
    // connection (a database restart) emits 'error', which the pool hears only while the client
    // is idle: unheard, it would end the process. Its queries fail anyway, and its release
    // drops it from the pool.
    client.on("error", (error) =>
      log({ level: "warn", msg: "pg connection lost", error: error.message }),
    );
  });
  // An idle client's loss comes here too (the pool drops it at once): heard, so that it does not
  // end the process, and logged once, by the client's listener above.
  pool.on("error", () => undefined);
  return pool;
}

/** Runs `work` in a transaction: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
