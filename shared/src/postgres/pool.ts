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
  pool.on("connect", (client) => traceQueries(client, database));
  // An idle client losing its connection (a database restart) must not crash the process.
  pool.on("error", (error) =>
    log({ level: "warn", msg: "idle pg client error", error: error.message }),
  );
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
