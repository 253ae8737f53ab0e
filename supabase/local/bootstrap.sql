-- Local stand-in for what a Supabase database already contains before any migration runs.
--
-- Hosted Supabase (and `supabase start`) provision these roles, schemas and functions themselves, so
-- this file is never a migration. The local stack runs it as the cluster's superuser
-- `supabase_admin`, as hosted Supabase does, in every database before the migrations and at every
-- start; it is idempotent, and it reproduces only the database side of Auth, Storage and Realtime,
-- whose servers cannot run here. Migrations, the seed and pgTAP then run as `postgres`, which is
-- not a superuser, exactly as on hosted projects.

-- Roles ------------------------------------------------------------------------------------------
-- As the Supabase Postgres image creates them (its init scripts and migrations), with the local
-- stack's well-known password 'postgres' for each role that logs in.
do $$
begin
  if not exists (select from pg_roles where rolname = 'postgres') then
    create role postgres login password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login password 'postgres';
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin;
  end if;
end
$$;

-- `postgres` is what migrations, the dashboard and a project's connection string use: no superuser.
alter role postgres nosuperuser createdb createrole login replication bypassrls;
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_admin set search_path = "$user", public, auth, extensions;
-- The API roles inherit (since the image's 2023 migration); PostgREST logs in as `authenticator`,
-- which inherits nothing and switches to one of them per request.
alter role anon nologin inherit nobypassrls;
alter role authenticated nologin inherit nobypassrls;
alter role service_role nologin inherit bypassrls;
alter role authenticator login noinherit nobypassrls;
-- The Auth server's role; hosted Auth connects as it and owns its tables.
alter role supabase_auth_admin login noinherit createrole noreplication;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
-- Owns Realtime's tables and functions (Realtime's own migrations create it).
alter role supabase_realtime_admin nologin noinherit noreplication;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;
-- Hosted Supabase lets `postgres` create policies on realtime.messages (supautils' policy_grants);
-- here membership in the table's owner does, and the guard at the end refuses the rest.
grant supabase_realtime_admin to postgres;

-- Supabase caps statements per role; PostgREST applies the impersonated role's settings.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- Parameters supautils lets `postgres` set on hosted projects (privileged_role_allowed_configs):
-- the core ones, and the PostgREST settings a migration may give `authenticator`.
grant set on parameter session_replication_role, log_lock_waits, log_min_messages, track_io_timing
  to postgres;
grant set on parameter pgrst.db_pre_request, pgrst.db_schemas, pgrst.db_extra_search_path,
  pgrst.db_max_rows, pgrst.db_aggregates_enabled, pgrst.db_plan_enabled, pgrst.db_pre_config,
  pgrst.db_tx_end, pgrst.jwt_aud, pgrst.jwt_role_claim_key, pgrst.openapi_mode,
  pgrst.server_cors_allowed_origins, pgrst.server_timing_enabled
  to postgres;

-- The database and schema public belong to the project: `postgres` creates schemas here and owns
-- public. New projects give the API roles no default privileges on new objects in public (the
-- automatic API exposure is off): every migration grants explicitly what each role may do.
do $$
begin
  execute format('grant all on database %I to postgres', current_database());
end
$$;
alter schema public owner to postgres;
grant usage on schema public to postgres, anon, authenticated, service_role;

-- Extensions live in their own schema, as on Supabase.
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
grant all on all tables in schema extensions to postgres with grant option;
grant all on all sequences in schema extensions to postgres with grant option;
grant all on all routines in schema extensions to postgres with grant option;

-- Auth -------------------------------------------------------------------------------------------
-- The schema is supabase_admin's; Auth's role owns what is in it. `postgres` may use every table
-- (read auth.sessions from a security definer helper, add triggers on auth.users) but create
-- nothing in the schema.
create schema if not exists auth;
grant usage on schema auth to postgres, anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text unique default null,
  phone_confirmed_at timestamptz,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where is_sso_user = false;
alter table auth.users enable row level security;

-- PostgREST 12 sets only `request.jwt.claims`; the per-claim settings are the legacy fallback.
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email()
  to anon, authenticated, service_role;

-- Auth sessions ----------------------------------------------------------------------------------
-- Supabase Auth's own tables for sessions and rotating refresh tokens (its migrations'
-- core columns, names and indexes), used by the local Auth stand-in (tools/devstack/auth/).
-- On hosted Supabase the Auth server owns them; API roles get nothing, and `postgres` may read
-- them, which is what lets a `security definer` helper owned by postgres check a session.
do $$
begin
  if not exists (
    select from pg_type where typname = 'aal_level' and typnamespace = 'auth'::regnamespace
  ) then
    create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
  end if;
end
$$;

create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz,
  updated_at timestamptz,
  factor_id uuid,
  aal auth.aal_level,
  not_after timestamptz,
  refreshed_at timestamp without time zone,
  user_agent text,
  ip inet,
  tag text
);
comment on table auth.sessions is 'Auth: Stores session data associated to a user.';
comment on column auth.sessions.not_after is
  'Auth: Not after is a nullable column that contains a timestamp after which the session '
  'should be regarded as expired.';
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists user_id_created_at_idx on auth.sessions (user_id, created_at);
create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) constraint refresh_tokens_token_unique unique,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
comment on table auth.refresh_tokens is
  'Auth: Store of tokens used to refresh JWT tokens once they expire.';
create index if not exists refresh_tokens_instance_id_idx on auth.refresh_tokens (instance_id);
create index if not exists refresh_tokens_instance_id_user_id_idx
  on auth.refresh_tokens (instance_id, user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx
  on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_updated_at_idx on auth.refresh_tokens (updated_at desc);

alter table auth.sessions enable row level security;
alter table auth.refresh_tokens enable row level security;
revoke all on auth.sessions, auth.refresh_tokens from public, anon, authenticated, service_role;
revoke all on sequence auth.refresh_tokens_id_seq from public, anon, authenticated, service_role;

-- Auth's own role owns its tables, type and functions, as the Auth server's migrations leave them;
-- `postgres` gets every privilege on them but ownership.
alter table auth.users owner to supabase_auth_admin;
alter table auth.sessions owner to supabase_auth_admin;
alter table auth.refresh_tokens owner to supabase_auth_admin;
alter type auth.aal_level owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;

-- Realtime ---------------------------------------------------------------------------------------
-- As Realtime's own migrations leave it (lib/realtime/tenants/repo/migrations of supabase/realtime,
-- up to 20260707120000_restrict_realtime_schema): supabase_realtime_admin owns the table and the
-- functions, and the API roles may select, insert and update, so RLS alone decides.
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema realtime to supabase_realtime_admin;

-- One partition per day (UTC), created ahead by Realtime's janitor from yesterday to today + 3 and
-- dropped after 72 hours; the local stack does the same (devstack.realtime's janitor). There is no
-- catch-all partition: a message for a day without a partition is not stored.
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  primary key (id, inserted_at)
) partition by range (inserted_at);
do $$
begin
  if not exists (
    select from pg_constraint
    where conname = 'messages_payload_exclusive' and conrelid = 'realtime.messages'::regclass
  ) then
    alter table realtime.messages
      add constraint messages_payload_exclusive check (payload is null or binary_payload is null)
      not valid;
  end if;
end
$$;
create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
grant all on realtime.messages to postgres;

create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- Runs with the caller's rights: the insert is the caller's, so it needs an insert privilege and
-- an insert policy on realtime.messages (or bypassrls), and any failure (no partition, a policy
-- refusing it) is only a warning: the broadcast is lost, the caller's transaction goes on. A
-- trigger that broadcasts must therefore run as its owner (security definer).
create or replace function realtime.send(
  payload jsonb, event text, topic text, private boolean default true
) returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();

    -- Check if payload has an 'id' key, if not, add the generated UUID
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;

    -- Set the topic configuration
    execute format('SET LOCAL realtime.topic TO %L', topic);

    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
) returns void
language plpgsql
as $$
declare
  -- Declare a variable to hold the JSONB representation of the row
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  -- Check the operation type and handle accordingly
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation,
      'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;
grant execute on all functions in schema realtime to postgres, anon, authenticated, service_role;

-- The publication for Postgres Changes starts empty and belongs to `postgres`, so migrations can
-- add their tables to it.
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
alter publication supabase_realtime owner to postgres;

-- PostgREST schema cache ---------------------------------------------------------------------------
create or replace function extensions.notify_schema_reload() returns event_trigger
language plpgsql
as $$
begin
  notify pgrst, 'reload schema';
end
$$;

drop event trigger if exists pgrst_reload_on_ddl;
create event trigger pgrst_reload_on_ddl on ddl_command_end
  execute function extensions.notify_schema_reload();

drop event trigger if exists pgrst_reload_on_drop;
create event trigger pgrst_reload_on_drop on sql_drop
  execute function extensions.notify_schema_reload();

-- What `postgres` may do in Realtime's schema -----------------------------------------------------
-- Hosted Supabase lets `postgres` create, change and drop policies on realtime.messages
-- (supautils' policy_grants) and grant on it, and create nothing in `realtime`: no function, no
-- index, no trigger, no `alter table realtime.messages`. Being a member of the table's owner lets it do more here, so
-- this trigger refuses the rest to anyone but a superuser, with the error hosted Postgres gives,
-- altering (say, renaming) Realtime's own functions included.
create or replace function extensions.stand_in_guard_realtime_ddl() returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  command record;
  table_schema text;
begin
  if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    return;
  end if;
  if tg_event = 'sql_drop' then
    for command in select * from pg_catalog.pg_event_trigger_dropped_objects() loop
      if command.object_type <> 'policy' and (command.schema_name = 'realtime'
         or command.object_identity like '% on realtime.%') then
        raise exception 'must be owner of % %', command.object_type, command.object_identity
          using errcode = '42501';
      end if;
    end loop;
    return;
  end if;
  for command in select * from pg_catalog.pg_event_trigger_ddl_commands() loop
    -- Triggers and rules belong to no schema: theirs is their table's.
    select c.relnamespace::regnamespace::text into table_schema
    from pg_catalog.pg_class c
    where c.oid = case command.object_type
      when 'trigger' then (select t.tgrelid from pg_catalog.pg_trigger t where t.oid = command.objid)
      when 'rule' then (select r.ev_class from pg_catalog.pg_rewrite r where r.oid = command.objid)
    end;
    if coalesce(command.schema_name, table_schema) = 'realtime' and command.command_tag not in (
      'CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'GRANT', 'REVOKE'
    ) then
      raise exception 'permission denied for schema realtime'
        using errcode = '42501',
              hint = 'Hosted Supabase lets migrations create policies on realtime.messages, nothing else.';
    end if;
  end loop;
end;
$$;
drop event trigger if exists realtime_stand_in_guard_ddl;
create event trigger realtime_stand_in_guard_ddl on ddl_command_end
  execute function extensions.stand_in_guard_realtime_ddl();
drop event trigger if exists realtime_stand_in_guard_drop;
create event trigger realtime_stand_in_guard_drop on sql_drop
  execute function extensions.stand_in_guard_realtime_ddl();
