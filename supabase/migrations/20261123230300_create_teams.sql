-- Teams inside an organization; only staff of that organization can be on its teams.

create table public.teams (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  created_at timestamptz not null default now(),
  constraint teams_organization_id_name_key unique (organization_id, name),
  -- Target of composite foreign keys that keep teams inside one organization.
  constraint teams_organization_id_id_key unique (organization_id, id)
);

comment on table public.teams is 'A group of staff inside an organization that tickets can be assigned to.';

create table public.team_members (
  team_id uuid not null,
  user_id uuid not null,
  organization_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (team_id, user_id),
  constraint team_members_team_fkey foreign key (organization_id, team_id)
    references public.teams (organization_id, id) on delete cascade,
  -- A team member must be staff of the team's organization; leaving the organization leaves its teams.
  constraint team_members_member_fkey foreign key (organization_id, user_id)
    references public.organization_members (organization_id, user_id) on delete cascade
);

comment on table public.team_members is 'Staff on a team; organization_id is copied from the team so the database can enforce membership.';

create unique index team_members_organization_id_team_id_user_id_key
  on public.team_members (organization_id, team_id, user_id);
create unique index team_members_organization_id_user_id_team_id_key
  on public.team_members (organization_id, user_id, team_id);

alter table public.teams enable row level security;
alter table public.team_members enable row level security;

revoke all on table public.teams, public.team_members from public, anon, authenticated;
grant select, insert, delete on table public.teams to authenticated;
grant update (name) on table public.teams to authenticated;
grant select, delete on table public.team_members to authenticated;
grant insert (team_id, user_id) on table public.team_members to authenticated;
grant all on table public.teams, public.team_members to service_role;

-- Copies the team's organization so the composite foreign keys can check the member.
create function private.set_team_member_organization()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select t.organization_id into new.organization_id
  from public.teams t
  where t.id = new.team_id;
  return new;
end;
$$;

comment on function private.set_team_member_organization() is 'Trigger: fills team_members.organization_id from the team.';
revoke execute on function private.set_team_member_organization() from public, anon, authenticated;

create trigger set_organization
  before insert on public.team_members
  for each row execute function private.set_team_member_organization();

-- Widened once tickets exist, so requesters can read the team their ticket is assigned to.
create policy "Members read their organizations' teams"
  on public.teams
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins create teams in their organizations"
  on public.teams
  for insert
  to authenticated
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins rename teams in their organizations"
  on public.teams
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins delete teams in their organizations"
  on public.teams
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));

create policy "Members read the team memberships of their organizations"
  on public.team_members
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins add staff to their organizations' teams"
  on public.team_members
  for insert
  to authenticated
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins remove staff from their organizations' teams"
  on public.team_members
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));
