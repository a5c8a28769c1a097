// PostgreSQL: pool and transactions, migrations, the transactional outbox.

export * from "./backfill.ts";
export * from "./migrate.ts";
export * from "./outbox.ts";
export * from "./pool.ts";
export * from "./rate-limit.ts";
export * from "./schema.ts";
