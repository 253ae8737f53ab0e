-- The purge of attachment files: a maintenance job, as the service role, asks which objects to
-- delete (claim_attachment_purge), deletes them through the Storage API (Storage blocks direct
-- deletes from storage.objects, and the bytes are not in the database), then reports them done
-- (finish_attachment_purge). Due: pending attachments past expires_at, and removed ones (removed by
-- someone, or with their ticket or comment) whose object was not deleted yet.
--
-- Claiming leases the rows for 10 minutes (purge_after moves on), under `for update skip locked`:
-- two purgers running at once get different rows, and rows a crashed purger claimed come back
-- after the lease.
--
-- Storage's signed upload URLs last two hours and need no further permission once signed, so an
-- object can still arrive up to two hours after its attachment stopped being pending (the upload
-- policy lets a URL be signed only while it is pending and not expired, i.e. before expires_at).
-- A purge before expires_at + 2 hours 10 minutes (10 minutes for clocks) therefore comes again
-- then: finish keeps the row and makes it due at that time; only a purge after it deletes an
-- expired pending row (or marks a removed one purged for good). No object outlives its row.

create function public.claim_attachment_purge(max_items integer default 100)
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
  with due as (
    select a.id
    from public.ticket_attachments a
    where a.purge_after <= now()
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

comment on function public.claim_attachment_purge(integer) is
  'Maintenance (service role): lease up to max_items attachments whose objects are to be deleted, as [{id, bucket_id, object_name}].';

create function public.finish_attachment_purge(attachment_ids uuid[])
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_purged integer := 0;
  v_count integer;
begin
  if finish_attachment_purge.attachment_ids is null then
    raise exception 'Send the ids of the attachments whose objects were deleted.'
      using errcode = 'PT422', hint = 'attachment_ids';
  end if;

  -- Past every upload window: nothing can arrive any more.
  delete from public.ticket_attachments a
  where a.id = any (finish_attachment_purge.attachment_ids)
    and a.purge_after is not null
    and a.status = 'pending' and a.expires_at <= now()
    and now() >= a.expires_at + interval '2 hours 10 minutes';
  get diagnostics v_count = row_count;
  v_purged := v_purged + v_count;

  update public.ticket_attachments a
  set purged_at = now(),
    purge_after = case
      when now() >= a.expires_at + interval '2 hours 10 minutes' then null
      else a.expires_at + interval '2 hours 10 minutes'
    end
  where a.id = any (finish_attachment_purge.attachment_ids)
    and a.purge_after is not null
    and (a.status = 'removed' or (a.status = 'pending' and a.expires_at <= now()));
  get diagnostics v_count = row_count;
  v_purged := v_purged + v_count;

  return jsonb_build_object('purged', v_purged);
end;
$$;

comment on function public.finish_attachment_purge(uuid[]) is
  'Maintenance (service role): the objects of these claimed attachments were deleted; expired pending rows go, removed ones note purged_at.';

revoke execute on function
  public.claim_attachment_purge(integer),
  public.finish_attachment_purge(uuid[])
  from public, anon, authenticated;
grant execute on function
  public.claim_attachment_purge(integer),
  public.finish_attachment_purge(uuid[])
  to service_role;
