// Schema migrations: ordered SQL files (`001_users.sql`, `002_…`) applied once each, in order,
// at start, each in its own transaction, recorded in `schema_migrations`. An advisory lock keeps
// two instances starting at once from applying the same file twice.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";

export async function migrate(
  pool: pg.Pool,
  dir: string,
  log = (_: string) => {},
): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock(hashtext('schema_migrations'))");
    await client.query(
      "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
    );
    const done = new Set(
      (await client.query<{ name: string }>("select name from schema_migrations")).rows.map(
        (r) => r.name,
      ),
    );
    for (const file of files.filter((f) => !done.has(f))) {
      await client.query("begin");
      try {
        await client.query(readFileSync(join(dir, file), "utf8"));
        await client.query("insert into schema_migrations (name) values ($1)", [file]);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
      log(`applied migration ${file}`);
    }
  } finally {
    await client
      .query("select pg_advisory_unlock(hashtext('schema_migrations'))")
      .catch(() => undefined);
    client.release();
  }
  return applied;
}
