create policy "Staff read their organizations' team assignment settings"
  on public.team_assignment_settings
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins change their organizations' team assignment settings"
  on public.team_assignment_settings
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));
