-- Concurrent comments on one ticket deadlocked (40P01). Inserting a comment takes a KEY SHARE lock
-- on its ticket (the foreign key); private.record_comment_added then updates tickets.updated_at,
-- which is in unique indexes (tickets_requester_updated_idx, tickets_org_updated_idx), so the
-- update needs FOR UPDATE, which waits for every other commenter's KEY SHARE while each of them
-- waits for ours. Taking FOR UPDATE before the comment row is written makes commenters queue.
--
-- Only public comments update the ticket; internal notes take only KEY SHARE locks (the comment's
-- and its events' foreign keys), which never wait for each other, so they are not serialized.
-- Attaching files writes ticket_attachments (no foreign key to tickets) and ticket_events (KEY
-- SHARE): nothing there upgrades a lock. create_ticket's ticket is its own until commit.

create function private.lock_ticket_for_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.tickets t where t.id = new.ticket_id for update;
  return new;
end;
$$;

comment on function private.lock_ticket_for_comment() is
  'Trigger: locks the ticket FOR UPDATE before a public comment is written, as record_comment_added will update it; concurrent commenters queue instead of deadlocking.';
revoke execute on function private.lock_ticket_for_comment() from public, anon, authenticated;

create trigger lock_ticket
  before insert on public.ticket_comments
  for each row
  when (not new.is_internal)
  execute function private.lock_ticket_for_comment();
