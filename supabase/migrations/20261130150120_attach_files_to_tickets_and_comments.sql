-- Files are attached by create_ticket and add_comment, in the same transaction as the ticket or
-- comment; get_ticket shows them; the comment_added broadcast carries them.
--
-- create_ticket gains two trailing parameters: ticket_id (the new ticket takes this id, which the
-- client reserved when it uploaded the files; an id a ticket already has is PT409 hint ticket_id)
-- and attachment_ids (requires ticket_id). add_comment gains attachment_ids; its internal-note
-- refusal now names the input `is_internal` (it said `internal`). Each function is dropped and
-- created again from its definition in 20261130140000_name_function_parameters_like_the_api.sql,
-- with the same grants: callers that pass only the old parameters get what they got before.
--
-- An attachment can be attached when it is the caller's, pending, not expired, registered for this
-- ticket and its organization, and its object is in Storage as declared (metadata size and
-- mimetype); else PT422 hint attachment_ids detail attachment_not_ready, with a message naming the
-- attachment and why. At most 10 per ticket or comment: PT422 detail too_many_attachments.
--
-- The comment_added broadcast fires at commit now (a deferred constraint trigger, still named
-- realtime_comment_added), so it carries the files linked after the comment row was written.

-- Requesters choose the id of the ticket they submit (create_ticket, invoker, inserts it).
grant insert (id) on table public.tickets to authenticated;

-- add_comment answers with the comment JSON the broadcast sends, as the caller.
grant execute on function private.comment_json(public.ticket_comments) to authenticated, service_role;

-- The attachment as get_ticket, add_comment and the comment JSON list it.
create function private.attachment_summary_json(p_attachment public.ticket_attachments)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_attachment.id,
    'file_name', p_attachment.file_name,
    'stored_name', p_attachment.stored_name,
    'content_type', p_attachment.content_type,
    'size_bytes', p_attachment.size_bytes,
    'created_at', p_attachment.created_at,
    'uploaded_by', p_attachment.uploaded_by
  )
$$;

comment on function private.attachment_summary_json(public.ticket_attachments) is
  'An attached file as tickets and comments list it.';

-- Attaches the current user's uploads to a ticket (p_comment_id null) or a comment. Runs as the
-- owner: it reads storage.objects, which clients may not, and writes attachments.
create function private.attach_files(
  p_attachment_ids uuid[], p_ticket_id uuid, p_comment_id uuid, p_is_internal boolean
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_org_id uuid;
  v_ids uuid[];
  v_id uuid;
  v_attachment public.ticket_attachments;
  v_object jsonb;
  v_reason text;
begin
  if coalesce(cardinality(p_attachment_ids), 0) = 0 then
    return '[]'::jsonb;
  end if;
  if array_position(p_attachment_ids, null) is not null then
    raise exception 'The attachment ids must not hold null.' using errcode = 'PT422', hint = 'attachment_ids';
  end if;
  -- In id order: concurrent callers lock the rows in the same order.
  select array_agg(distinct i order by i) into v_ids from unnest(p_attachment_ids) i;
  if cardinality(v_ids) > 10 then
    raise exception 'At most 10 files can be attached to one ticket or comment; you sent %.', cardinality(v_ids)
      using errcode = 'PT422', detail = 'too_many_attachments', hint = 'attachment_ids';
  end if;
  select t.handling_org_id into v_org_id from public.tickets t where t.id = p_ticket_id;

  foreach v_id in array v_ids loop
    select * into v_attachment from public.ticket_attachments a where a.id = v_id for update;
    v_reason := case
      when not found or v_attachment.uploaded_by is distinct from v_user_id then 'it is not one of your uploads'
      when v_attachment.status = 'attached' then 'it is attached already'
      when v_attachment.status = 'removed' then 'it was removed'
      when v_attachment.expires_at <= now() then 'it expired; upload the file again'
      when v_attachment.ticket_id <> p_ticket_id or v_attachment.handling_org_id <> v_org_id then
        'it was uploaded for another ticket'
    end;
    if v_reason is null then
      select o.metadata into v_object
      from storage.objects o
      where o.bucket_id = 'ticket-attachments' and o.name = v_attachment.object_name;
      v_reason := case
        when not found then 'its file has not been uploaded'
        when v_object -> 'size' is distinct from to_jsonb(v_attachment.size_bytes) then
          format('its file is %s bytes, not the %s bytes declared', coalesce(v_object ->> 'size', 'an unknown number of'), v_attachment.size_bytes)
        when v_object ->> 'mimetype' is distinct from v_attachment.content_type then
          format('its file was uploaded as %s, not as the declared %s', coalesce(v_object ->> 'mimetype', 'no type'), v_attachment.content_type)
      end;
    end if;
    if v_reason is not null then
      raise exception 'Attachment % cannot be attached: %.', v_id, v_reason
        using errcode = 'PT422', detail = 'attachment_not_ready', hint = 'attachment_ids';
    end if;

    update public.ticket_attachments a
    set status = 'attached', attached_at = now(), comment_id = p_comment_id, is_internal = p_is_internal,
      purge_after = null
    where a.id = v_id;
  end loop;

  return (
    select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
    from public.ticket_attachments a
    where a.id = any (v_ids)
  );
end;
$$;

comment on function private.attach_files(uuid[], uuid, uuid, boolean) is
  'Attaches the current user''s uploaded pending files to a ticket or comment; PT422 attachment_not_ready names one that cannot be.';

revoke execute on function
  private.attachment_summary_json(public.ticket_attachments),
  private.attach_files(uuid[], uuid, uuid, boolean)
  from public, anon;
grant execute on function
  private.attachment_summary_json(public.ticket_attachments),
  private.attach_files(uuid[], uuid, uuid, boolean)
  to authenticated, service_role;

-- create_ticket ----------------------------------------------------------------------------------
drop function public.create_ticket(uuid, text, text, text, text, text);
create function public.create_ticket(
  handling_org_id uuid,
  subject text,
  description text,
  priority text default 'medium',
  idempotency_key text default null,
  request_hash text default null,
  ticket_id uuid default null,
  attachment_ids uuid[] default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_subject text := btrim(coalesce(create_ticket.subject, ''));
  v_description text := coalesce(create_ticket.description, '');
  v_stored private.idempotency_keys;
  v_ticket public.tickets;
  v_response jsonb;
begin
  if v_user_id is null then
    raise exception 'Sign in to create a ticket.' using errcode = '42501';
  end if;
  if create_ticket.handling_org_id is null then
    raise exception 'Choose the organization that should handle the ticket.'
      using errcode = 'PT422', hint = 'handling_org_id';
  end if;
  if char_length(v_subject) not between 1 and 200 then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'subject';
  end if;
  if char_length(v_description) > 10000 then
    raise exception 'The description must be at most 10000 characters long.'
      using errcode = 'PT422', hint = 'description';
  end if;
  if create_ticket.priority is null or create_ticket.priority not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'priority';
  end if;
  if create_ticket.idempotency_key is not null and char_length(create_ticket.idempotency_key) not between 1 and 255 then
    raise exception 'The idempotency key must be 1 to 255 characters long.'
      using errcode = 'PT422', hint = 'idempotency_key';
  end if;
  if coalesce(cardinality(create_ticket.attachment_ids), 0) > 0 and create_ticket.ticket_id is null then
    raise exception 'Send the ticket_id you uploaded the attachments for.' using errcode = 'PT422', hint = 'ticket_id';
  end if;

  if create_ticket.idempotency_key is not null then
    -- The first caller claims the key; a concurrent caller waits here on the primary key until
    -- the first commits (then replays) or rolls back (then claims it itself).
    insert into private.idempotency_keys (user_id, key, request_hash)
    values (v_user_id, create_ticket.idempotency_key, create_ticket.request_hash)
    on conflict (user_id, key) do nothing;

    if not found then
      select * into v_stored
      from private.idempotency_keys k
      where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;

      if v_stored.request_hash is distinct from create_ticket.request_hash then
        raise exception 'Idempotency key was already used with a different request'
          using errcode = 'PT422', hint = 'idempotency_key';
      end if;
      return v_stored.response || jsonb_build_object('replayed', true);
    end if;
  end if;

  if create_ticket.ticket_id is not null and private.ticket_id_taken(create_ticket.ticket_id) then
    raise exception 'A ticket with this id exists already; reserve another id.'
      using errcode = 'PT409', hint = 'ticket_id';
  end if;

  perform private.require_can_submit(create_ticket.handling_org_id);

  insert into public.tickets (id, handling_org_id, user_id, subject, description, priority)
  values (
    coalesce(create_ticket.ticket_id, gen_random_uuid()), create_ticket.handling_org_id, v_user_id,
    v_subject, v_description, create_ticket.priority
  )
  returning * into v_ticket;

  perform private.attach_files(create_ticket.attachment_ids, v_ticket.id, null, false);

  v_response := jsonb_build_object('ticket', private.ticket_json(v_ticket), 'replayed', false);

  if create_ticket.idempotency_key is not null then
    update private.idempotency_keys k
    set response = v_response
    where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;
  end if;

  return v_response;
end;
$$;

comment on function public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[]) is
  'Submit a ticket as the current user, optionally with the id reserved for it and the files uploaded for it; with an idempotency key, a repeated request replays the first response.';
revoke execute on function public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[]) from public, anon;
grant execute on function public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[]) to authenticated, service_role;

-- add_comment ------------------------------------------------------------------------------------
drop function public.add_comment(uuid, text, boolean);
create function public.add_comment(
  ticket_id uuid,
  body text,
  is_internal boolean default false,
  attachment_ids uuid[] default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid;
  v_comment public.ticket_comments;
  v_attachments jsonb;
begin
  if add_comment.ticket_id is null then
    raise exception 'Name the ticket to comment on.' using errcode = 'PT422', hint = 'ticket_id';
  end if;
  if add_comment.body is null or char_length(btrim(add_comment.body)) = 0 or char_length(add_comment.body) > 10000 then
    raise exception 'The comment must be 1 to 10000 characters long.' using errcode = 'PT422', hint = 'body';
  end if;

  select t.handling_org_id into v_org_id from public.tickets t where t.id = add_comment.ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  if coalesce(add_comment.is_internal, false) and not private.is_org_staff(v_org_id) then
    raise exception 'Only staff of the handling organization can add internal notes.'
      using errcode = 'PT403', hint = 'is_internal';
  end if;

  insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
  values (add_comment.ticket_id, (select auth.uid()), add_comment.body, coalesce(add_comment.is_internal, false))
  returning * into v_comment;

  v_attachments := private.attach_files(add_comment.attachment_ids, v_comment.ticket_id, v_comment.id, v_comment.is_internal);

  return private.comment_json(v_comment) || jsonb_build_object('attachments', v_attachments);
end;
$$;

comment on function public.add_comment(uuid, text, boolean, uuid[]) is
  'Comment on a ticket, with the files uploaded for it; internal notes (and their files) are for staff of the handling organization only.';
revoke execute on function public.add_comment(uuid, text, boolean, uuid[]) from public, anon;
grant execute on function public.add_comment(uuid, text, boolean, uuid[]) to authenticated, service_role;

-- private.ticket_detail: as in 20261130140000, with each comment's attachments and the ticket's own.
create or replace function private.ticket_detail(p_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_ticket public.tickets;
begin
  select * into v_ticket from public.tickets t where t.id = p_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  return private.ticket_json(v_ticket) || jsonb_build_object(
    'organization', (
      select jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
      from public.organizations o
      where o.id = v_ticket.handling_org_id
    ),
    'requester', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.user_id
    ),
    'assignee', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.assigned_employee_id
    ),
    'team', (
      select jsonb_build_object('id', tm.id, 'name', tm.name)
      from public.teams tm
      where tm.id = v_ticket.assigned_team_id
    ),
    -- Files on the ticket itself; each comment lists its own. The select policy of
    -- ticket_attachments applies, as that of ticket_comments does.
    'attachments', coalesce((
      select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
      from public.ticket_attachments a
      where a.ticket_id = v_ticket.id and a.comment_id is null and a.status = 'attached'
    ), '[]'::jsonb),
    'comments', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', c.id,
          'ticket_id', c.ticket_id,
          'author_id', c.author_id,
          'body', c.body,
          'is_internal', c.is_internal,
          'created_at', c.created_at,
          'attachments', coalesce((
            select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
            from public.ticket_attachments a
            where a.comment_id = c.id and a.status = 'attached'
          ), '[]'::jsonb)
        )
        order by c.created_at, c.id
      )
      from public.ticket_comments c
      where c.ticket_id = v_ticket.id
    ), '[]'::jsonb),
    'events', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', e.id,
          'kind', e.kind,
          'actor_id', e.actor_id,
          'old_value', e.old_value,
          'new_value', e.new_value,
          'is_internal', e.is_internal,
          'created_at', e.created_at
        )
        order by e.created_at, e.id
      )
      from public.ticket_events e
      where e.ticket_id = v_ticket.id
    ), '[]'::jsonb)
  );
end;
$$;

-- The comment_added broadcast, at commit ----------------------------------------------------------
-- As in 20261124000000_create_ticket_broadcasts.sql, and the payload lists the comment's files
-- (on an internal note, only the organization's topic hears of them).
create or replace function private.broadcast_comment_added()
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
    if not found then
      return null;  -- deleted in the same transaction: its deletion was broadcast
    end if;

    v_payload := private.comment_json(new) || jsonb_build_object('attachments', coalesce((
      select jsonb_agg(
        jsonb_build_object('id', a.id, 'file_name', a.file_name, 'content_type', a.content_type, 'size_bytes', a.size_bytes)
        order by a.created_at, a.id
      )
      from public.ticket_attachments a
      where a.comment_id = new.id and a.status = 'attached'
    ), '[]'::jsonb));
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

-- Deferred to the commit: add_comment links the files after it inserts the comment. Named
-- realtime_* like every broadcast trigger, so the benchmark can switch them all off and on.
drop trigger realtime_comment_added on public.ticket_comments;
create constraint trigger realtime_comment_added
  after insert on public.ticket_comments
  deferrable initially deferred
  for each row execute function private.broadcast_comment_added();
