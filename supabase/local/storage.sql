-- Local stand-in for Supabase Storage's database side: what the Postgres image's storage schema
-- script and Storage's own migrations (migrations/tenant/0001..0063 of supabase/storage) leave
-- before any project migration runs, for the parts the product and the Storage stand-in
-- (tools/devstack/storage) use. Not reproduced: S3 multipart uploads, analytics / Iceberg /
-- vector buckets, `storage.migrations` and the listing functions (`search`, `search_v2`,
-- `list_objects_with_delimiter`), which the stand-in does not call.
--
-- Run by the local stack after bootstrap.sql, as the cluster's superuser (whoever that is), at
-- every start: idempotent.

-- Roles ------------------------------------------------------------------------------------------
-- Hosted Storage connects as `supabase_storage_admin`, which owns Storage's tables and reaches the
-- API roles through `authenticator` (it `set role`s to the caller's role, never inherits it).
do $$
begin
  if not exists (select from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin noinherit createrole login noreplication;
  end if;
end
$$;
-- The local stack's well-known password, as `authenticator` has; the stand-in logs in with it.
alter role supabase_storage_admin with login password 'postgres';
alter role supabase_storage_admin set search_path = storage;
grant authenticator to supabase_storage_admin;
-- As the Postgres image grants it, so that `postgres` (a non-superuser on hosted projects) owns
-- enough of Storage's tables to create policies on them. Hosted Supabase lets it do no more than
-- that (supautils' policy_grants); the event trigger at the end holds it to the same here.
grant supabase_storage_admin to postgres;

-- Schema -----------------------------------------------------------------------------------------
create schema if not exists storage;
do $$
begin
  -- The Postgres image creates the schema `authorization supabase_admin`, where that role exists.
  if exists (select from pg_roles where rolname = 'supabase_admin') then
    alter schema storage owner to supabase_admin;
  end if;
end
$$;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;

do $$
begin
  if to_regtype('storage.buckettype') is null then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$$;

-- Buckets ----------------------------------------------------------------------------------------
create table if not exists storage.buckets (
  id text primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD',
  versioning_status text not null default 'DISABLED'
);
-- Columns a database bootstrapped by an earlier version of this file lacks.
alter table storage.buckets
  add column if not exists avif_autodetection boolean default false,
  add column if not exists type storage.buckettype not null default 'STANDARD',
  add column if not exists versioning_status text not null default 'DISABLED';
create unique index if not exists bname on storage.buckets (name);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';

do $$
begin
  if not exists (select from pg_constraint where conrelid = 'storage.buckets'::regclass
                 and conname = 'buckets_versioning_status_check') then
    alter table storage.buckets add constraint buckets_versioning_status_check
      check (versioning_status in ('DISABLED', 'ENABLED', 'SUSPENDED'));
  end if;
  if not exists (select from pg_constraint where conrelid = 'storage.buckets'::regclass
                 and conname = 'buckets_versioning_standard_only_check') then
    alter table storage.buckets add constraint buckets_versioning_standard_only_check
      check (type = 'STANDARD' or versioning_status = 'DISABLED');
  end if;
  if not exists (select from pg_constraint where conrelid = 'storage.buckets'::regclass
                 and conname = 'buckets_versioning_dark_check') then
    alter table storage.buckets add constraint buckets_versioning_dark_check
      check (versioning_status = 'DISABLED');
  end if;
end
$$;

-- Objects ----------------------------------------------------------------------------------------
create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text,
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb,
  archived_at timestamptz,
  is_delete_marker boolean not null default false,
  is_versioned boolean not null default false,
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
alter table storage.objects
  add column if not exists archived_at timestamptz,
  add column if not exists is_delete_marker boolean not null default false,
  add column if not exists is_versioned boolean not null default false;
do $$
begin
  -- An earlier version of this file let Postgres name the foreign key.
  if exists (select from pg_constraint where conrelid = 'storage.objects'::regclass
             and conname = 'objects_bucket_id_fkey') then
    alter table storage.objects rename constraint objects_bucket_id_fkey to "objects_bucketId_fkey";
  end if;
end
$$;
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, (name collate "C"));
create index if not exists idx_objects_bucket_id_name_lower
  on storage.objects (bucket_id, (lower(name) collate "C"));
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to postgres with grant option;

-- Helper functions, for policies ----------------------------------------------------------------
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

-- The Storage API operation running (`storage.object.upload`, `storage.object.sign`, ...).
create or replace function storage.operation() returns text
language plpgsql stable
as $$
begin
  return current_setting('storage.operation', true);
end;
$$;

create or replace function storage.allow_only_operation(expected_operation text) returns boolean
language sql stable
as $$
  with current_operation as (
    select storage.operation() as raw_operation
  ),
  normalized as (
    select
      case when raw_operation like 'storage.%' then substr(raw_operation, 9)
        else raw_operation end as current_operation,
      case when expected_operation like 'storage.%' then substr(expected_operation, 9)
        else expected_operation end as requested_operation
    from current_operation
  )
  select case
    when requested_operation is null or requested_operation = '' then false
    else coalesce(current_operation = requested_operation, false)
  end
  from normalized;
$$;

create or replace function storage.allow_any_operation(expected_operations text[]) returns boolean
language sql stable
as $$
  with current_operation as (
    select storage.operation() as raw_operation
  ),
  normalized as (
    select case when raw_operation like 'storage.%' then substr(raw_operation, 9)
      else raw_operation end as current_operation
    from current_operation
  )
  select exists (
    select 1
    from normalized n
    cross join lateral unnest(expected_operations) as expected_operation
    where expected_operation is not null
      and expected_operation <> ''
      and n.current_operation = case when expected_operation like 'storage.%'
        then substr(expected_operation, 9) else expected_operation end
  );
$$;

create or replace function storage.get_size_by_bucket()
returns table (size bigint, bucket_id text)
language plpgsql stable
as $$
begin
  return query
    select sum((metadata ->> 'size')::bigint)::bigint as size, obj.bucket_id
    from storage.objects as obj
    group by obj.bucket_id;
end
$$;

create or replace function storage.can_insert_object(bucketid text, name text, owner uuid, metadata jsonb)
returns void
language plpgsql
as $$
begin
  insert into storage.objects (bucket_id, name, owner, metadata) values (bucketid, name, owner, metadata);
  -- roll back the insert that succeeded
  raise sqlstate 'PT200' using message = 'ROLLBACK', detail = 'rollback successful insert';
end
$$;

-- Triggers ---------------------------------------------------------------------------------------
create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end;
$$;
create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql
as $$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end;
$$;
create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

-- Storage sets `storage.allow_delete_query` in each of its own transactions; a `delete` from
-- anywhere else would orphan the stored bytes.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.',
            errcode = '42501';
  end if;
  return null;
end;
$$;
create or replace trigger protect_buckets_delete
  before delete on storage.buckets
  for each statement execute function storage.protect_delete();
create or replace trigger protect_objects_delete
  before delete on storage.objects
  for each statement execute function storage.protect_delete();

do $$
declare
  routine regprocedure;
begin
  for routine in
    select p.oid::regprocedure from pg_proc p
    where p.pronamespace = 'storage'::regnamespace
      and p.proname in ('foldername', 'filename', 'extension', 'operation', 'allow_only_operation',
        'allow_any_operation', 'get_size_by_bucket', 'can_insert_object', 'update_updated_at_column',
        'enforce_bucket_name_length', 'protect_delete')
  loop
    execute format('alter function %s owner to supabase_storage_admin', routine);
  end loop;
end
$$;

-- What `postgres` may do to Storage's schema ----------------------------------------------------
-- On hosted projects `postgres` may create, change and drop policies on Storage's tables and
-- grant on them, nothing else (no new objects in `storage`, no `alter table storage.objects`).
-- Being a member of the tables' owner here lets it do more, so this trigger refuses the rest to
-- anyone but a superuser, with the error hosted Postgres gives.
create or replace function storage.stand_in_guard_ddl() returns event_trigger
language plpgsql
as $$
declare
  command record;
begin
  if (select rolsuper from pg_roles where rolname = current_user) then
    return;
  end if;
  -- Triggers and policies belong to no schema: their identity names the table ("... on storage.x").
  if tg_event = 'sql_drop' then
    for command in select * from pg_event_trigger_dropped_objects() loop
      if (command.schema_name = 'storage' or command.object_identity like '% on storage.%')
         and command.object_type <> 'policy' then
        raise exception 'must be owner of % %', command.object_type, command.object_identity
          using errcode = '42501';
      end if;
    end loop;
    return;
  end if;
  for command in select * from pg_event_trigger_ddl_commands() loop
    if (command.schema_name = 'storage' or command.object_identity like '% on storage.%')
       and command.command_tag not in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY', 'GRANT', 'REVOKE') then
      raise exception 'permission denied for schema storage'
        using errcode = '42501',
              hint = 'Hosted Supabase lets migrations create policies on Storage''s tables, nothing else.';
    end if;
  end loop;
end;
$$;
drop event trigger if exists storage_stand_in_guard_ddl;
create event trigger storage_stand_in_guard_ddl on ddl_command_end
  execute function storage.stand_in_guard_ddl();
drop event trigger if exists storage_stand_in_guard_drop;
create event trigger storage_stand_in_guard_drop on sql_drop
  execute function storage.stand_in_guard_ddl();
