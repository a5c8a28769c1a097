-- A user's own subscriptions (newest first), and what deleting a user cascades through.
create index subscriptions_user on subscriptions (user_id, created_at desc);
