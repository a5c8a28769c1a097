-- The analytics function's tables in its own schema (ANALYTICS_DB_SCHEMA, default analytics).

-- Viewing history: one row per (person, event), computed from their beats (which stay in MongoDB,
-- `watches`). Here rather than in MongoDB because FerretDB uses no index for a find: a person's
-- "Continue watching" read every entry of everyone (src/history-store.ts).
create table history (
  user_id text collate "C" not null,
  event_id text collate "C" not null,
  watched_seconds double precision not null,
  position double precision not null,
  -- The recording's length, when it was last watched as one.
  duration double precision,
  -- When it was last watched (its last beat's time).
  updated_at timestamptz not null,
  -- Beats up to here are forgotten (the person cleared it); the epoch if never. A cleared entry
  -- stays, so that a late redelivery of a beat from before the clearing never brings it back.
  cleared_at timestamptz not null default 'epoch',
  -- Nothing watched since it was cleared.
  hidden boolean not null default false,
  primary key (user_id, event_id)
);
create index history_by_person on history (user_id, updated_at desc, event_id desc) where not hidden;
