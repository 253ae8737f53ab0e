-- A signed-out session's token must not open Realtime channels either: the channel policies ask
-- the same question as PostgREST's pre-request check (private.current_session_is_active). Realtime
-- authorizes a join, and a token update, by these policies; a channel already joined keeps
-- receiving until the client's next token update or the token's expiry, as with Realtime itself.

drop policy "Staff receive their organization's ticket broadcasts" on realtime.messages;
drop policy "Requesters receive broadcasts of their own tickets" on realtime.messages;

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
