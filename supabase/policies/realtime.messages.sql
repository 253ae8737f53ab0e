create policy "Staff receive their organization's ticket broadcasts"
  on realtime.messages
  for select
  to authenticated
  using (
    extension = 'broadcast'
    and topic = (select realtime.topic())
    and (select realtime.topic()) in (
      select private.org_tickets_topic(mine.org_id) from private.my_org_ids() as mine (org_id)
    )
    and (select private.current_session_is_active())
  );

create policy "Requesters receive broadcasts of their own tickets"
  on realtime.messages
  for select
  to authenticated
  using (
    extension = 'broadcast'
    and topic = (select realtime.topic())
    and (select realtime.topic()) = (select private.user_tickets_topic((select auth.uid())))
    and (select private.current_session_is_active())
  );
