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

create policy "Members and requesters of assigned tickets read teams"
  on public.teams
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or id in (select private.my_requested_team_ids())
  );
