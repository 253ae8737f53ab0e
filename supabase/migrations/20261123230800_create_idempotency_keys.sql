-- Idempotency records of create_ticket. The private schema keeps them out of the API; policies keep
-- each user to their own keys when create_ticket reads and writes them.

create table private.idempotency_keys (
  user_id uuid not null references public.profiles (id) on delete cascade,
  key text not null check (char_length(key) between 1 and 255),
  request_hash text,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);

comment on table private.idempotency_keys is
  'One row per (user, idempotency key) given to create_ticket, with the response to replay.';

alter table private.idempotency_keys enable row level security;

revoke all on table private.idempotency_keys from public, anon, authenticated;
grant select, insert, update on table private.idempotency_keys to authenticated;
grant all on table private.idempotency_keys to service_role;

create policy "Users read their own idempotency keys"
  on private.idempotency_keys
  for select
  to authenticated
  using (user_id = (select auth.uid()));

create policy "Users record their own idempotency keys"
  on private.idempotency_keys
  for insert
  to authenticated
  with check (user_id = (select auth.uid()));

create policy "Users store responses under their own idempotency keys"
  on private.idempotency_keys
  for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
