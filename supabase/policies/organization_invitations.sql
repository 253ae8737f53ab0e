create policy "Admins and invitees read staff invitations"
  on public.organization_invitations
  for select
  to authenticated
  using (
    organization_id in (select private.my_admin_org_ids())
    or email = (select private.my_confirmed_email())
  );

create policy "Admins invite staff to their organizations as themselves"
  on public.organization_invitations
  for insert
  to authenticated
  with check (
    organization_id in (select private.my_admin_org_ids())
    and invited_by = (select auth.uid())
    and status = 'pending'
  );

create policy "Admins renew or revoke and invitees answer pending invitations"
  on public.organization_invitations
  for update
  to authenticated
  using (
    status = 'pending'
    and (
      organization_id in (select private.my_admin_org_ids())
      or (email = (select private.my_confirmed_email()) and expires_at > now())
    )
  )
  with check (
    (organization_id in (select private.my_admin_org_ids()) and status in ('pending', 'revoked'))
    or (email = (select private.my_confirmed_email()) and status in ('accepted', 'declined'))
  );
