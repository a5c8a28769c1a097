// MongoDB (FerretDB): client, idempotent inserts, document locks, the transactional outbox.
export * from "./client.ts";
export * from "./insert-new.ts";
export * from "./lock.ts";
export * from "./outbox.ts";
