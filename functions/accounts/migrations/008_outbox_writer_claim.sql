-- The outbox relay's claim skips rows a writer holds to publish itself (shared/src/postgres/outbox.ts).
alter table outbox add column writer_claim_until timestamptz;
