create policy "Requesters read public events and staff read all events"
  on public.ticket_events
  for select
  to authenticated
  using (
    exists (
      select 1
      from public.tickets t
      where t.id = ticket_events.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_events.is_internal)
        )
    )
  );
