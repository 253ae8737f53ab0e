-- Now that tickets exist: people who work together see each other's profiles, and requesters see
-- the team their ticket is assigned to.

-- Co-members; staff and the requesters of their organization's tickets; requesters and the staff
-- assigned to or publicly commenting on their tickets.
create function private.can_see_profile(p_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select
    p_user_id = (select auth.uid())
    or exists (
      select 1
      from public.organization_members mine
      join public.organization_members theirs on theirs.organization_id = mine.organization_id
      where mine.user_id = (select auth.uid()) and theirs.user_id = p_user_id
    )
    or exists (
      select 1
      from public.tickets t
      where t.user_id = p_user_id
        and t.handling_org_id in (select private.my_org_ids())
    )
    or exists (
      select 1
      from public.tickets t
      where t.user_id = (select auth.uid()) and t.assigned_employee_id = p_user_id
    )
    or exists (
      select 1
      from public.ticket_comments c
      join public.tickets t on t.id = c.ticket_id
      where c.author_id = p_user_id
        and not c.is_internal
        and t.user_id = (select auth.uid())
    )
$$;

comment on function private.can_see_profile(uuid) is 'Whether the current user works with the given user.';

create function private.my_requested_team_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select distinct t.assigned_team_id
  from public.tickets t
  where t.user_id = (select auth.uid())
    and t.assigned_team_id is not null
$$;

comment on function private.my_requested_team_ids() is 'Teams assigned to tickets the current user requested.';

revoke execute on function private.can_see_profile(uuid), private.my_requested_team_ids() from public, anon;
grant execute on function private.can_see_profile(uuid), private.my_requested_team_ids() to authenticated;

drop policy "Users read their own profile" on public.profiles;

create policy "Users read the profiles of people they work with"
  on public.profiles
  for select
  to authenticated
  using (id = (select auth.uid()) or private.can_see_profile(id));

drop policy "Members read their organizations' teams" on public.teams;

create policy "Members and requesters of assigned tickets read teams"
  on public.teams
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or id in (select private.my_requested_team_ids())
  );
