-- Proof that a person reads the account's mailbox: a verified address, and the single-use links
-- sent to it (password reset, address verification). Only a token's SHA-256 is kept, so a read
-- of this table gives nobody a working link.
alter table users add column email_verified_at timestamptz;
create table email_tokens (
  token_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('reset', 'verify')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index email_tokens_user on email_tokens (user_id, purpose);
