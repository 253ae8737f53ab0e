-- Storage per user is bounded. Pending limits were per user and ticket, and a draft's ticket_id is
-- any fresh UUID, so a user could register about 100 MiB per made-up draft id without end. Now
-- every user has at most 20 pending uploads (not attached, not expired) and 100 MiB of them,
-- across all tickets:
--   PT422 detail too_many_attachments  hint ticket_id   a 21st pending upload of yours
--   PT422 detail pending_uploads_full  hint size_bytes  your pending uploads would pass 100 MiB
--
-- The ticket's 100 MiB still counts everyone's pending uploads, uploaded or not: a registration
-- reserves its bytes, so no later step has to refuse a file that was already uploaded. A user can
-- hold at most 100 MiB pending at once (now bounded), for 60 minutes at a time.
--
-- private.register_attachment: as in 20261130150110_create_attachment_api.sql, with the user's
-- limits. Locks: the user's, then the ticket's (only here), so concurrent registrations can pass
-- neither limit together.

create or replace function private.register_attachment(
  p_ticket_id uuid,
  p_handling_org_id uuid,
  p_file_name text,
  p_content_type text,
  p_size_bytes bigint
)
returns public.ticket_attachments
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_id uuid := gen_random_uuid();
  v_stored_name text := private.sanitize_file_name(p_file_name);
  v_size_limit bigint;
  v_ticket_total bigint;
  v_pending integer;
  v_pending_bytes bigint;
  v_attachment public.ticket_attachments;
begin
  perform private.require_attachment_type(p_content_type, v_stored_name);

  select coalesce(o.attachment_size_limit_bytes, 26214400) into v_size_limit
  from public.organizations o
  where o.id = p_handling_org_id;
  if p_size_bytes > coalesce(v_size_limit, 26214400) then
    raise exception 'The file is % bytes; this organization accepts files of at most % bytes (% MiB).',
        p_size_bytes, v_size_limit, round(v_size_limit / 1048576.0, 1)
      using errcode = 'PT422', detail = 'attachment_too_large', hint = 'size_bytes';
  end if;

  perform pg_advisory_xact_lock(hashtextextended('ticket_attachments:user:' || v_user_id::text, 0));
  perform pg_advisory_xact_lock(hashtextextended('ticket_attachments:' || p_ticket_id::text, 0));

  select (count(*))::integer, coalesce(sum(a.size_bytes), 0)::bigint
  into v_pending, v_pending_bytes
  from public.ticket_attachments a
  where a.uploaded_by = v_user_id and a.status = 'pending' and a.expires_at > now();
  if v_pending >= 20 then
    raise exception 'You have 20 uploads waiting to be attached; attach or remove some first, or wait until they expire.'
      using errcode = 'PT422', detail = 'too_many_attachments', hint = 'ticket_id';
  end if;

  select coalesce(sum(a.size_bytes), 0)::bigint into v_ticket_total
  from public.ticket_attachments a
  where a.ticket_id = p_ticket_id
    and (a.status = 'attached' or (a.status = 'pending' and a.expires_at > now()));
  if v_ticket_total + p_size_bytes > 104857600 then
    raise exception 'This ticket''s files would pass 100 MiB (% bytes are taken, % bytes are left).',
        v_ticket_total, greatest(104857600 - v_ticket_total, 0)
      using errcode = 'PT422', detail = 'ticket_attachments_full', hint = 'size_bytes';
  end if;
  if v_pending_bytes + p_size_bytes > 104857600 then
    raise exception 'Your uploads waiting to be attached would pass 100 MiB (% bytes are waiting); attach or remove some first.',
        v_pending_bytes
      using errcode = 'PT422', detail = 'pending_uploads_full', hint = 'size_bytes';
  end if;

  -- Not attached by expires_at, it cannot be any more and the purge deletes it.
  insert into public.ticket_attachments (
    id, ticket_id, handling_org_id, file_name, stored_name, content_type, size_bytes, object_name,
    expires_at, purge_after
  )
  values (
    v_id, p_ticket_id, p_handling_org_id, p_file_name, v_stored_name, p_content_type, p_size_bytes,
    format('%s/%s/%s/%s', p_handling_org_id, p_ticket_id, v_id, private.attachment_object_key(v_stored_name)),
    now() + interval '60 minutes', now() + interval '60 minutes'
  )
  returning * into v_attachment;
  return v_attachment;
end;
$$;

comment on function private.register_attachment(uuid, uuid, text, text, bigint) is
  'Writes a pending attachment for the current user after checking type, size, the ticket''s 100 MiB and the user''s 20 pending uploads and 100 MiB pending.';
