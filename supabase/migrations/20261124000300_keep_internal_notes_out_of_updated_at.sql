-- A customer sees their ticket's updated_at. If an internal note moved it, the customer would
-- learn that staff wrote something they cannot read; so only public comments count as activity.

create or replace function private.record_comment_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
  values (new.ticket_id, new.author_id, 'comment_added', jsonb_build_object('comment_id', new.id), new.is_internal);

  if not new.is_internal then
    update public.tickets set updated_at = now() where id = new.ticket_id;
  end if;
  return null;
end;
$$;
