create policy "Members read the memberships of their organizations"
  on public.organization_members
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

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
