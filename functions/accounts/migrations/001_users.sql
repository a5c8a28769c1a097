create table users (
  id uuid primary key,
  email text not null,
  display_name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
-- One account per address, whatever its case.
create unique index users_email_lower on users (lower(email));
