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
