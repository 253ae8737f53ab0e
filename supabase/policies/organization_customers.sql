create policy "Admins read their organizations' invitations"
  on public.organization_customers
  for select
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));

create policy "Admins invite customers to their organizations"
  on public.organization_customers
  for insert
  to authenticated
  with check (
    organization_id in (select private.my_admin_org_ids())
    and invited_by = (select auth.uid())
  );

create policy "Admins revoke invitations to their organizations"
  on public.organization_customers
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));
