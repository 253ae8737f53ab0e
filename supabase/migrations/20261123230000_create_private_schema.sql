-- Extensions used by the schema, and the private schema for helpers that PostgREST never exposes.

create extension if not exists pg_trgm with schema extensions;

create schema if not exists private;
comment on schema private is
  'Helpers and internal tables used by policies, triggers and API functions; not exposed by PostgREST.';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Keeps updated_at honest on every table that has one.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

comment on function private.set_updated_at() is 'Trigger: stamps updated_at with the transaction time.';
revoke execute on function private.set_updated_at() from public, anon, authenticated;
