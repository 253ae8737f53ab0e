-- A file cannot be replaced once attached. While an attachment is pending, its uploader can ask
-- Storage for a signed upload URL with `x-upsert: true` (only the insert policy is evaluated: no
-- object exists yet), upload, attach, and PUT again with the same token for as long as the token
-- lasts (2 hours): Storage writes the new bytes as its superuser, giving the object a new
-- `version` and new metadata, past every size and type check and under a file staff accepted.
--
-- So attaching records which version was checked (ticket_attachments.object_version, set by
-- private.attach_files only); Storage serves an attached file only in that version (the select
-- policy on storage.objects), so replaced bytes reach nobody; and the purge marks an attachment
-- whose object changed `removed` (removed_reason 'replaced') and deletes the object. An attached
-- row stays on the purge's index until every upload URL signed for it has expired
-- (purge_after = expires_at + 2 hours 10 minutes, as for expired uploads): the purge looks at it
-- once more then, and only rows within that window are compared with storage.objects.

alter table public.ticket_attachments
  add column object_version text,
  add column removed_reason text check (removed_reason in ('removed', 'deleted', 'replaced'));

comment on column public.ticket_attachments.object_version is
  'storage.objects.version of the object as checked when attached; Storage serves only that version. Set by private.attach_files.';
comment on column public.ticket_attachments.removed_reason is
  'Why it was removed: removed (by its uploader or an admin), deleted (with its ticket or comment), replaced (its object changed after it was attached; set by the purge).';
comment on column public.ticket_attachments.purge_after is
  'When the purge should (again) look at this attachment''s object: delete it (expired or removed) or, attached, check it was not replaced; null when nothing is left to do. Internal: set by the attachment functions and the purge.';

-- Files attached before this migration: the version they have now.
update public.ticket_attachments a
set object_version = o.version
from storage.objects o
where a.status = 'attached' and o.bucket_id = 'ticket-attachments' and o.name = a.object_name;

update public.ticket_attachments a
set removed_reason = case when a.removed_by is null then 'deleted' else 'removed' end
where a.status = 'removed';

-- Reading: an attached file in the version that was attached; one's own pending upload as before.
create function private.can_read_attachment_object(p_object_name text, p_object_version text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.ticket_attachments a
    where a.object_name = p_object_name
      and (a.status = 'pending' or a.object_version is not distinct from p_object_version)
      and private.can_see_attachment(a.ticket_id, a.status, a.is_internal, a.uploaded_by)
  )
$$;

comment on function private.can_read_attachment_object(text, text) is
  'Whether the current user may read the object of this name and version in ticket-attachments: an attachment they may see, attached in that version, or their own pending upload.';

revoke execute on function private.can_read_attachment_object(text, text) from public, anon;
grant execute on function private.can_read_attachment_object(text, text) to authenticated, service_role;

drop policy "Users read the attachment files they may see" on storage.objects;
create policy "Users read the attachment files they may see"
  on storage.objects
  for select
  to authenticated
  using (bucket_id = 'ticket-attachments' and private.can_read_attachment_object(name, version));

drop function private.can_read_attachment_object(text);

-- Attaching: as in 20261130150120_attach_files_to_tickets_and_comments.sql, and it records the
-- version whose size and type it checked, and keeps the row for the purge's one later look.
create or replace function private.attach_files(
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
  v_version text;
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
      -- Metadata and version from one row version: what is checked is what is recorded.
      select o.metadata, o.version into v_object, v_version
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
      object_version = v_version, purge_after = a.expires_at + interval '2 hours 10 minutes'
    where a.id = v_id;
  end loop;

  return (
    select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
    from public.ticket_attachments a
    where a.id = any (v_ids)
  );
end;
$$;

-- Removing: as in 20261130150110_create_attachment_api.sql, noting why.
create or replace function private.remove_attachment(p_attachment_id uuid)
returns public.ticket_attachments
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_attachment public.ticket_attachments;
begin
  select * into v_attachment from public.ticket_attachments a where a.id = p_attachment_id for update;
  if not found or v_attachment.status = 'removed' then
    raise exception 'The attachment was not found.' using errcode = 'PT404', hint = 'attachment_id';
  end if;
  if not (
    (v_attachment.status = 'pending' and v_attachment.uploaded_by = v_user_id)
    or private.is_org_admin(v_attachment.handling_org_id)
  ) then
    if private.can_see_attachment(v_attachment.ticket_id, v_attachment.status, v_attachment.is_internal, v_attachment.uploaded_by) then
      raise exception 'Only the organization''s admins can remove an attached file.'
        using errcode = 'PT403', hint = 'attachment_id';
    end if;
    raise exception 'The attachment was not found.' using errcode = 'PT404', hint = 'attachment_id';
  end if;

  update public.ticket_attachments a
  set status = 'removed', removed_at = now(), removed_by = v_user_id, removed_reason = 'removed',
    purge_after = now()
  where a.id = p_attachment_id
  returning * into v_attachment;
  return v_attachment;
end;
$$;

create or replace function private.remove_attachments_of_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'tickets' then
    update public.ticket_attachments a
    set status = 'removed', removed_at = now(), removed_by = null, removed_reason = 'deleted', purge_after = now()
    where a.ticket_id = old.id and a.status <> 'removed';
  else
    update public.ticket_attachments a
    set status = 'removed', removed_at = now(), removed_by = null, removed_reason = 'deleted', purge_after = now()
    where a.comment_id = old.id and a.status <> 'removed';
  end if;
  return old;
end;
$$;

-- The purge: as in 20261130150130_create_attachment_purge.sql, and first it removes the attached
-- files whose object was replaced (only rows still within their upload window can have been: they
-- are the attached rows on the purge index), then claims what is due. An attached row due is one
-- whose upload window closed with its object unchanged: nothing is left to check, it leaves the
-- index and is not claimed.
create or replace function public.claim_attachment_purge(max_items integer default 100)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_claimed jsonb;
begin
  if claim_attachment_purge.max_items is null or claim_attachment_purge.max_items not between 1 and 1000 then
    raise exception 'Claim 1 to 1000 attachments at a time.' using errcode = 'PT422', hint = 'max_items';
  end if;

  with replaced as (
    select a.id
    from public.ticket_attachments a
    join storage.objects o on o.bucket_id = 'ticket-attachments' and o.name = a.object_name
    where a.purge_after is not null
      and a.status = 'attached'
      and o.version is distinct from a.object_version
    for update of a skip locked
  )
  update public.ticket_attachments a
  set status = 'removed', removed_at = now(), removed_by = null, removed_reason = 'replaced', purge_after = now()
  from replaced
  where a.id = replaced.id;

  with checked as (
    select a.id
    from public.ticket_attachments a
    where a.purge_after <= now() and a.status = 'attached'
    for update skip locked
  )
  update public.ticket_attachments a
  set purge_after = null
  from checked
  where a.id = checked.id;

  with due as (
    select a.id
    from public.ticket_attachments a
    where a.purge_after <= now() and a.status <> 'attached'
    order by a.purge_after, a.id
    limit claim_attachment_purge.max_items
    for update skip locked
  ),
  leased as (
    update public.ticket_attachments a
    set purge_after = now() + interval '10 minutes'
    from due
    where a.id = due.id
    returning a.id, a.object_name
  )
  select coalesce(jsonb_agg(
    jsonb_build_object('id', l.id, 'bucket_id', 'ticket-attachments', 'object_name', l.object_name)
    order by l.id
  ), '[]'::jsonb)
  into v_claimed
  from leased l;
  return v_claimed;
end;
$$;
