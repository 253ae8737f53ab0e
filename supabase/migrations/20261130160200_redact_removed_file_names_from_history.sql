-- Removing a file is how a file name gets redacted, yet its earlier attachment_added events kept
-- `file_name` for everyone who sees the history. The removal now scrubs them to `{id}` in the
-- same transaction: the history still says a file was added, not what it was called.
--
-- private.record_attachment_change: as in 20261130150110_create_attachment_api.sql, and on
-- removal of an attached file it rewrites that file's attachment_added events.

create or replace function private.record_attachment_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A deleted ticket's attachments are removed without history: its history is gone with it.
  if not exists (select 1 from public.tickets t where t.id = new.ticket_id) then
    return null;
  end if;
  if old.status = 'pending' and new.status = 'attached' then
    insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
    values (new.ticket_id, (select auth.uid()), 'attachment_added',
      jsonb_build_object('id', new.id, 'file_name', new.file_name), new.is_internal);
  elsif old.status = 'attached' and new.status = 'removed' then
    update public.ticket_events e
    set new_value = jsonb_build_object('id', new.id)
    where e.ticket_id = new.ticket_id
      and e.kind = 'attachment_added'
      and e.new_value ->> 'id' = new.id::text;
    insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
    values (new.ticket_id, (select auth.uid()), 'attachment_removed',
      case when new.is_internal then jsonb_build_object('id', new.id, 'file_name', new.file_name)
        else jsonb_build_object('id', new.id) end,
      new.is_internal);
  end if;
  return null;
end;
$$;

comment on function private.record_attachment_change() is
  'Trigger: records attachment_added and attachment_removed events; a removal scrubs the file name from the file''s attachment_added events.';
