-- Tenants and their staff: organizations, their members, and the membership helpers policies use.

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9-]{2,63}$'),
  created_at timestamptz not null default now()
);

comment on table public.organizations is 'A tenant that handles support tickets.';
comment on column public.organizations.slug is 'URL name: lowercase letters, digits and hyphens, 2 to 63 characters.';

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null check (role in ('admin', 'employee')),
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);

comment on table public.organization_members is 'Staff of an organization: admins manage it, employees work its tickets.';

-- Serves the user_id foreign key and "which organizations am I in".
create unique index organization_members_user_id_organization_id_key
  on public.organization_members (user_id, organization_id);

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;

revoke all on table public.organizations, public.organization_members from public, anon, authenticated;
grant select on table public.organizations to authenticated;
grant update (name, slug) on table public.organizations to authenticated;
grant select, insert, delete on table public.organization_members to authenticated;
grant update (role) on table public.organization_members to authenticated;
grant all on table public.organizations, public.organization_members to service_role;

-- Helpers: run as the owner so that policies can ask about membership without recursing into RLS.

create function private.my_org_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
  from public.organization_members m
  where m.user_id = (select auth.uid())
$$;

comment on function private.my_org_ids() is 'Organizations the current user is staff of (admin or employee).';

create function private.my_admin_org_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
  from public.organization_members m
  where m.user_id = (select auth.uid())
    and m.role = 'admin'
$$;

comment on function private.my_admin_org_ids() is 'Organizations the current user administers.';

create function private.is_org_staff(p_org_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.organization_members m
    where m.organization_id = p_org_id
      and m.user_id = (select auth.uid())
  )
$$;

comment on function private.is_org_staff(uuid) is 'Whether the current user is an admin or employee of the organization.';

create function private.is_org_admin(p_org_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.organization_members m
    where m.organization_id = p_org_id
      and m.user_id = (select auth.uid())
      and m.role = 'admin'
  )
$$;

comment on function private.is_org_admin(uuid) is 'Whether the current user administers the organization.';

-- The single place that decides who may submit tickets to an organization. For now any signed-in
-- user may; per-organization customer rules replace this body later.
create function private.can_submit_to(p_org_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_org_id is not null and (select auth.uid()) is not null
$$;

comment on function private.can_submit_to(uuid) is 'Whether the current user may submit tickets to the organization.';

-- Raises TK404 for an unknown organization and TK403 when the caller may not submit to it; the
-- customer access rules later say which rule refused them.
create function private.require_can_submit(p_org_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if private.can_submit_to(p_org_id) then
    return;
  end if;
  if not exists (select 1 from public.organizations o where o.id = p_org_id) then
    raise exception 'The organization was not found; check the organization you are submitting to.'
      using errcode = 'TK404', hint = 'handling_org_id';
  end if;
  raise exception 'You may not submit tickets to this organization.'
    using errcode = 'TK403', hint = 'handling_org_id';
end;
$$;

comment on function private.require_can_submit(uuid) is
  'Raises TK404 for an unknown organization, TK403 when the current user may not submit to it.';

revoke execute on function
  private.my_org_ids(),
  private.my_admin_org_ids(),
  private.is_org_staff(uuid),
  private.is_org_admin(uuid),
  private.can_submit_to(uuid),
  private.require_can_submit(uuid)
  from public, anon;
grant execute on function
  private.my_org_ids(),
  private.my_admin_org_ids(),
  private.is_org_staff(uuid),
  private.is_org_admin(uuid),
  private.can_submit_to(uuid),
  private.require_can_submit(uuid)
  to authenticated;

create policy "Users read organizations they belong to or may submit to"
  on public.organizations
  for select
  to authenticated
  using (id in (select private.my_org_ids()) or private.can_submit_to(id));

create policy "Admins update their organizations"
  on public.organizations
  for update
  to authenticated
  using (id in (select private.my_admin_org_ids()))
  with check (id in (select private.my_admin_org_ids()));

create policy "Members read the memberships of their organizations"
  on public.organization_members
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins add members to their organizations"
  on public.organization_members
  for insert
  to authenticated
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins change member roles in their organizations"
  on public.organization_members
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins remove members from their organizations"
  on public.organization_members
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));
