-- Reading a ticket no longer writes: get_ticket is read-only (stable), so PostgREST can serve it
-- from a read-only transaction (GET, a read replica), and the customer dashboard's "seen" record
-- moves to mark_ticket_seen, which the frontend calls when the requester opens the ticket.

-- Unchanged but for the hint, which names the API's field.
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
    raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'ticket_id';
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
end;$$;

create or replace function public.get_ticket(p_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select private.ticket_detail(p_id)
$$;

comment on function public.get_ticket(uuid) is
  'A ticket with its organization, people, team, comments and history, as far as the caller may see them; records nothing.';

-- Staff may open a requester's ticket without it counting as the requester having seen it.
create function public.mark_ticket_seen(p_ticket_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_requester_id uuid;
  v_seen_at timestamptz;
begin
  select t.user_id into v_requester_id from public.tickets t where t.id = p_ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'ticket_id';
  end if;
  if v_requester_id = (select auth.uid()) then
    insert into public.ticket_views as v (user_id, ticket_id)
    values (v_requester_id, p_ticket_id)
    on conflict (user_id, ticket_id) do update set seen_at = now()
    returning v.seen_at into v_seen_at;
  end if;
  return jsonb_build_object('ticket_id', p_ticket_id, 'seen_at', v_seen_at);
end;
$$;

comment on function public.mark_ticket_seen(uuid) is
  'Record that the requester has seen their ticket now (for staff_replied in list_my_tickets); staff record nothing.';
revoke execute on function public.mark_ticket_seen(uuid) from public, anon;
grant execute on function public.mark_ticket_seen(uuid) to authenticated;
