create policy "Requesters read public comments and staff read all comments"
  on public.ticket_comments
  for select
  to authenticated
  using (
    exists (
      select 1
      from public.tickets t
      where t.id = ticket_comments.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_comments.is_internal)
        )
    )
  );

create policy "Requesters comment publicly and staff comment on their tickets"
  on public.ticket_comments
  for insert
  to authenticated
  with check (
    author_id = (select auth.uid())
    and exists (
      select 1
      from public.tickets t
      where t.id = ticket_comments.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_comments.is_internal)
        )
    )
  );
