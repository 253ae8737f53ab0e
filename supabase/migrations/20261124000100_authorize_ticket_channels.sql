-- Who may join the private ticket topics. Realtime decides it the way these policies read: in a
-- transaction it sets role, request.jwt.claims and realtime.topic, then checks whether a select
-- (join and receive) and an insert (send) on realtime.messages pass RLS.
--
-- Receiving is for staff of the organization on org:<id>:tickets and for the requester on
-- user:<id>:tickets. Only the database broadcasts on these topics: there is no insert policy, so
-- no client can send on them, and anon has no policy at all. Topics are compared as text with the
-- topic each helper builds, so a malformed topic simply matches nothing. A row is visible only
-- under its own topic, so the setting never widens what else can be read.

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
  );

create policy "Requesters receive broadcasts of their own tickets"
  on realtime.messages
  for select
  to authenticated
  using (
    extension = 'broadcast'
    and topic = (select realtime.topic())
    and (select realtime.topic()) = (select private.user_tickets_topic((select auth.uid())))
  );
