-- The chat function's tables, in its own schema (CHAT_DB_SCHEMA, default chat).

-- Messages of each event's room. `seq` orders a room (and keys "after this message");
-- `id` is what clients see (the SSE id, the CloudEvent id).
create table messages (
  seq bigserial primary key,
  id text not null unique,
  event_id text not null,
  channel_id text not null,
  user_id text not null,
  author text not null,
  body text not null,
  sent_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by text
);
create index messages_room on messages (event_id, seq);

-- When each event's stream started (stream.started): a message's offset in the recording.
create table streams (
  event_id text primary key,
  started_at timestamptz not null
);

-- Who follows which channel (subscription.created/deleted), for followers-only mode.
create table followers (
  channel_id text not null,
  user_id text not null,
  following boolean not null,
  changed_at timestamptz not null,
  primary key (channel_id, user_id)
);

-- Each channel's chat rules; a channel without a row has the defaults.
create table settings (
  channel_id text primary key,
  slow_mode_seconds integer not null default 0,
  followers_only boolean not null default false,
  links_allowed boolean not null default false,
  blocked_words text[] not null default '{}'
);

create table moderators (
  channel_id text not null,
  user_id text not null,
  added_by text not null,
  added_at timestamptz not null default now(),
  primary key (channel_id, user_id)
);

-- A ban without `until` lasts until lifted; with it, it is a timeout.
create table bans (
  channel_id text not null,
  user_id text not null,
  reason text not null,
  until timestamptz,
  banned_by text not null,
  banned_at timestamptz not null default now(),
  primary key (channel_id, user_id)
);

-- The last accepted post of each person in each room: slow mode, checked and set in one statement.
create table last_posts (
  event_id text not null,
  user_id text not null,
  at timestamptz not null,
  primary key (event_id, user_id)
);

-- Every moderation action: who, what, when.
create table moderation_log (
  seq bigserial primary key,
  channel_id text not null,
  actor_id text not null,
  action text not null,
  target_user_id text,
  message_id text,
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index moderation_log_channel on moderation_log (channel_id, seq desc);

create table outbox (
  id text primary key,
  event jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index outbox_unpublished on outbox (created_at) where published_at is null;
