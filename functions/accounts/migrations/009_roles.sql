-- What an account may do beyond its own things: `operator` opens the operator console
-- (functions/ops). Granted by an operator of the deployment (npm run operator), never by the API.
alter table users add column roles text[] not null default '{}'
  check (roles <@ array['operator']::text[]);
