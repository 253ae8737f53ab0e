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
