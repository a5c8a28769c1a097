-- A user follows a channel or a single event (events live in the events function's store, so
-- an event id is not a foreign key here).
create table subscriptions (
  user_id uuid not null references users (id) on delete cascade,
  channel_id uuid references channels (id) on delete cascade,
  event_id text,
  created_at timestamptz not null default now(),
  constraint subscriptions_one_target check ((channel_id is null) <> (event_id is null))
);
create unique index subscriptions_user_channel on subscriptions (user_id, channel_id) where channel_id is not null;
create unique index subscriptions_user_event on subscriptions (user_id, event_id) where event_id is not null;
-- ListSubscribers pages through these in user-id order (keyset pagination).
create index subscriptions_channel_user on subscriptions (channel_id, user_id) where channel_id is not null;
create index subscriptions_event_user on subscriptions (event_id, user_id) where event_id is not null;
