// A one-time copy into a new PostgreSQL table of what another store held before it existed (a
// read model's first fill, a collection moved out of MongoDB): done by the first instance that
// starts, while the others wait for it and then find it done, and recorded in `backfills` (in
// the pool's schema) so that it never runs again.
import { log } from "../log.ts";
import type { Pool } from "./pool.ts";

/**
 * Copies `source`'s batches with `put`, once per schema and `name`; how many items it copied (0
 * when done before). `put` must not replace newer data (what was written meanwhile).
 */
export async function backfillOnce<T>(
  pool: Pool,
  name: string,
  source: () => AsyncIterable<T[]>,
  put: (batch: T[]) => Promise<void>,
): Promise<number> {
  const client = await pool.connect();
  const lock = "hashtext(current_schema() || '.backfill.' || $1)";
  try {
    await client.query(`select pg_advisory_lock(${lock})`, [name]);
    await client.query(
      "create table if not exists backfills (name text primary key, done_at timestamptz not null)",
    );
    if ((await client.query("select 1 from backfills where name = $1", [name])).rowCount) return 0;
    let copied = 0;
    for await (const batch of source()) {
      await put(batch);
      copied += batch.length;
      if (copied % 10_000 < batch.length) log({ level: "info", msg: `${name}: copying`, copied });
    }
    await client.query("insert into backfills (name, done_at) values ($1, now())", [name]);
    log({ level: "info", msg: `${name}: copied`, copied });
    return copied;
  } finally {
    // A connection that may still hold the lock goes, rather than back to the pool.
    const unlocked = await client.query(`select pg_advisory_unlock(${lock})`, [name]).then(
      () => true,
      () => false,
    );
    client.release(!unlocked);
  }
}
