-- A writer that publishes its row's event itself (a post) holds the row until then: the relay
-- leaves it alone while the claim lasts (shared/src/postgres/outbox.ts).
alter table outbox add column writer_claim_until timestamptz;
