create table channels (
  id uuid primary key,
  owner_id uuid not null references users (id) on delete cascade,
  slug text not null,
  title text not null,
  description text not null default '',
  -- The stream key: its SHA-256 to find the channel on publish, and encrypted (AES-256-GCM)
  -- so its owner can read it again. The key itself is never stored.
  stream_key_hash bytea not null,
  stream_key_encrypted text not null,
  created_at timestamptz not null default now()
);
create unique index channels_slug on channels (slug);
create unique index channels_stream_key_hash on channels (stream_key_hash);
create index channels_owner on channels (owner_id);
