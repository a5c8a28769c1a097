-- The events function's list (a read model) in its own schema (EVENTS_DB_SCHEMA, default
-- events): each event as GET /api/events shows it, kept from the events' CloudEvents and the
-- API's own writes (functions/events/src/listing.ts). MongoDB stays the source of truth; FerretDB
-- uses no index for a find, so lists are answered here.

create table listing (
  -- "C": ordered by bytes, as MongoDB orders ids (the cursors' tie-break).
  id text collate "C" primary key,
  channel_id text not null,
  status text not null,
  starts_at timestamptz not null,
  -- Only a newer version replaces a row (a late or repeated CloudEvent changes nothing).
  version integer not null,
  -- The API's view of the event; null once it is deleted: the row stays as a tombstone with
  -- its last version, so that a late snapshot cannot bring it back.
  view json
);
create index listing_by_status on listing (status, starts_at, id) where view is not null;
create index listing_by_channel on listing (channel_id, starts_at, id) where view is not null;
create index listing_by_start on listing (starts_at, id) where view is not null;
