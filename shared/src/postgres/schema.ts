// A function's tables in a PostgreSQL schema of its own, inside the platform's database (its
// name from an environment variable, so tests and benchmarks can name another): a pool whose
// connections search that schema, and the schema created at start, then migrated.
import { log } from "../log.ts";
import { migrate } from "./migrate.ts";
import { createPool, type Pool } from "./pool.ts";

/** `value`, the schema `variable` names, refused at start unless it is a plain name. */
export function schemaName(variable: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    throw new Error(`${variable}: "${value}" is not a schema name`);
  return value;
}

/** A pool on `url` whose connections find their tables in `schema` first. */
export function createSchemaPool(url: string, schema: string, max?: number): Pool {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return createPool(parsed.toString(), max);
}

/** Creates `schema` if it is missing, then applies the SQL files of `migrations` to it. */
export async function migrateSchema(pool: Pool, schema: string, migrations: string): Promise<void> {
  await pool.query(`create schema if not exists ${schema}`).catch(async (error: unknown) => {
    // Two instances creating it at once: one wins, the other finds it there.
    const { rowCount } = await pool.query("select 1 from pg_namespace where nspname = $1", [
      schema,
    ]);
    if (!rowCount) throw error;
  });
  await migrate(pool, migrations, (message) => log({ level: "info", msg: message }));
}
