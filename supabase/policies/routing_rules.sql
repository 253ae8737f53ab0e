create policy "Staff read their organizations' routing rules"
  on public.routing_rules
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins add routing rules to their organizations"
  on public.routing_rules
  for insert
  to authenticated
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins change their organizations' routing rules"
  on public.routing_rules
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins delete their organizations' routing rules"
  on public.routing_rules
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));
