-- API: add_comment. The comments trigger records the event and touches the ticket.

create function public.add_comment(p_ticket_id uuid, p_body text, p_internal boolean default false)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid;
  v_comment public.ticket_comments;
begin
  if p_ticket_id is null then
    raise exception 'Name the ticket to comment on.' using errcode = '22023', hint = 'ticket_id';
  end if;
  if p_body is null or char_length(btrim(p_body)) = 0 or char_length(p_body) > 10000 then
    raise exception 'The comment must be 1 to 10000 characters long.' using errcode = '22023', hint = 'body';
  end if;

  select t.handling_org_id into v_org_id from public.tickets t where t.id = p_ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'ticket_id';
  end if;

  if coalesce(p_internal, false) and not private.is_org_staff(v_org_id) then
    raise exception 'Only staff of the handling organization can add internal notes.'
      using errcode = 'TK403', hint = 'internal';
  end if;

  insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
  values (p_ticket_id, (select auth.uid()), p_body, coalesce(p_internal, false))
  returning * into v_comment;

  return jsonb_build_object(
    'id', v_comment.id,
    'ticket_id', v_comment.ticket_id,
    'author_id', v_comment.author_id,
    'body', v_comment.body,
    'is_internal', v_comment.is_internal,
    'created_at', v_comment.created_at
  );
end;
$$;

comment on function public.add_comment(uuid, text, boolean) is
  'Comment on a ticket; internal notes are for staff of the handling organization only.';
revoke execute on function public.add_comment(uuid, text, boolean) from public, anon;
grant execute on function public.add_comment(uuid, text, boolean) to authenticated;
