-- CloudEvents written in the transaction of the change they describe (shared/src/postgres/outbox.ts).
create table outbox (
  id text primary key,
  event jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index outbox_unpublished on outbox (created_at) where published_at is null;
