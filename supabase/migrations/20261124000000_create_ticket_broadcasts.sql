-- Realtime broadcasts of ticket changes, sent by triggers to private topics:
--   org:<handling_org_id>:tickets  staff of the organization: every ticket change and every comment;
--   user:<requester_id>:tickets    the requester: changes to their own tickets and public comments.
-- Events: ticket_created, ticket_updated, ticket_deleted (payload private.ticket_json) and
-- comment_added (payload private.comment_json). ticket_events rows are not broadcast: each one is
-- the consequence of a ticket change or a comment that is already broadcast, so sending them too
-- would double the messages of every write; a client showing the history reloads it with getTicket.
-- Who may receive each topic is decided by the policies on realtime.messages (next migration).

-- The topic names, in one place for the triggers and the policies.
create function private.org_tickets_topic(p_org_id uuid)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'org:' || p_org_id::text || ':tickets'
$$;

comment on function private.org_tickets_topic(uuid) is
  'Realtime topic of an organization''s staff: every change to its tickets and comments.';

create function private.user_tickets_topic(p_user_id uuid)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'user:' || p_user_id::text || ':tickets'
$$;

comment on function private.user_tickets_topic(uuid) is
  'Realtime topic of a requester: changes to their own tickets and public comments on them.';

-- The comment JSON that add_comment and get_ticket return.
create function private.comment_json(p_comment public.ticket_comments)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_comment.id,
    'ticket_id', p_comment.ticket_id,
    'author_id', p_comment.author_id,
    'body', p_comment.body,
    'is_internal', p_comment.is_internal,
    'created_at', p_comment.created_at
  )
$$;

comment on function private.comment_json(public.ticket_comments) is 'The comment JSON every API function returns.';

-- Policies on realtime.messages call the topic helpers as the subscriber.
revoke execute on function
  private.org_tickets_topic(uuid),
  private.user_tickets_topic(uuid),
  private.comment_json(public.ticket_comments)
  from public, anon;
grant execute on function private.org_tickets_topic(uuid), private.user_tickets_topic(uuid) to authenticated;

-- Runs as the owner: realtime.send is not executable by API roles on hosted Supabase, and clients
-- have no insert policy on realtime.messages. A failed send never fails the user's write.
create function private.broadcast_ticket_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ticket public.tickets;
  v_event text;
  v_payload jsonb;
begin
  if tg_op = 'DELETE' then
    v_ticket := old;
  else
    v_ticket := new;
  end if;

  begin
    v_event := case tg_op
      when 'INSERT' then 'ticket_created'
      when 'UPDATE' then 'ticket_updated'
      else 'ticket_deleted'
    end;
    v_payload := private.ticket_json(v_ticket);
    perform realtime.send(v_payload, v_event, private.org_tickets_topic(v_ticket.handling_org_id), true);
    perform realtime.send(v_payload, v_event, private.user_tickets_topic(v_ticket.user_id), true);
  exception when others then
    raise warning 'Broadcasting % of ticket % failed: %', v_event, v_ticket.id, sqlerrm;
  end;
  return null;
end;
$$;

comment on function private.broadcast_ticket_change() is
  'Trigger: sends a ticket change to its organization''s topic and its requester''s topic.';
revoke execute on function private.broadcast_ticket_change() from public, anon, authenticated;

-- Internal notes go to the organization's topic only: the requester's topic never hears of them.
create function private.broadcast_comment_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org_id uuid;
  v_requester_id uuid;
  v_payload jsonb;
begin
  begin
    select t.handling_org_id, t.user_id
    into v_org_id, v_requester_id
    from public.tickets t
    where t.id = new.ticket_id;

    v_payload := private.comment_json(new);
    perform realtime.send(v_payload, 'comment_added', private.org_tickets_topic(v_org_id), true);
    if not new.is_internal then
      perform realtime.send(v_payload, 'comment_added', private.user_tickets_topic(v_requester_id), true);
    end if;
  exception when others then
    raise warning 'Broadcasting comment % failed: %', new.id, sqlerrm;
  end;
  return null;
end;
$$;

comment on function private.broadcast_comment_added() is
  'Trigger: sends a new comment to its organization''s topic and, if public, its requester''s topic.';
revoke execute on function private.broadcast_comment_added() from public, anon, authenticated;

-- Every trigger here is named realtime_*, so a benchmark can switch them all off and on.
create trigger realtime_ticket_created
  after insert on public.tickets
  for each row execute function private.broadcast_ticket_change();

-- Only substantive changes bump the version. A comment touches updated_at alone: that update is
-- not broadcast (the comment is), so an internal note leaves no trace on the requester's topic.
create trigger realtime_ticket_updated
  after update on public.tickets
  for each row
  when (new.version is distinct from old.version)
  execute function private.broadcast_ticket_change();

create trigger realtime_ticket_deleted
  after delete on public.tickets
  for each row execute function private.broadcast_ticket_change();

-- Comments are never updated or deleted by clients; a ticket's comments go with the ticket,
-- whose deletion is broadcast.
create trigger realtime_comment_added
  after insert on public.ticket_comments
  for each row execute function private.broadcast_comment_added();
