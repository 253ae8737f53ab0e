create policy "Users read orgs they work for, submit to or are invited to"
  on public.organizations
  for select
  to authenticated
  using (
    created_by = (select auth.uid())
    or id in (select private.my_org_ids())
    or id in (select private.my_requested_org_ids())
    or id in (select private.my_invited_org_ids())
    or private.can_submit_to(id)
  );

create policy "Admins update their organizations"
  on public.organizations
  for update
  to authenticated
  using (id in (select private.my_admin_org_ids()))
  with check (id in (select private.my_admin_org_ids()));

create policy "Users create organizations as themselves"
  on public.organizations
  for insert
  to authenticated
  with check (created_by = (select auth.uid()));
