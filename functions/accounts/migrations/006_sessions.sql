-- Each sign-in is a session; a session token names its row (`sid`), and a token whose row is
-- gone (signed out, "sign out everywhere", a password change, the account deleted) is refused.
create table sessions (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  user_agent text not null default '',
  address text not null default ''
);
create index sessions_user on sessions (user_id, created_at desc);
-- Someone tried to sign up with this account's email: its owner is told at the next sign-in
-- (the sign-up itself answers alike whether the email was free or not).
alter table users add column signup_attempted_at timestamptz;
