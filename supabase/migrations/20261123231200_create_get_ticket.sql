-- API: get_ticket. Every select below runs under the caller's policies, so RLS decides which
-- comments, events and profiles appear.

create function public.get_ticket(p_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_ticket public.tickets;
begin
  select * into v_ticket from public.tickets t where t.id = p_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'id';
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
    'comments', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', c.id,
          'ticket_id', c.ticket_id,
          'author_id', c.author_id,
          'body', c.body,
          'is_internal', c.is_internal,
          'created_at', c.created_at
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

comment on function public.get_ticket(uuid) is
  'A ticket with its organization, people, team, and the comments and events the caller may see.';
revoke execute on function public.get_ticket(uuid) from public, anon;
grant execute on function public.get_ticket(uuid) to authenticated;
