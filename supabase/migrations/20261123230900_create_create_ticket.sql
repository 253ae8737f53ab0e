-- API: the ticket JSON shape, and create_ticket with idempotent replay.

create function private.ticket_json(p_ticket public.tickets)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_ticket.id,
    'number', p_ticket.number,
    'handling_org_id', p_ticket.handling_org_id,
    'user_id', p_ticket.user_id,
    'subject', p_ticket.subject,
    'description', p_ticket.description,
    'status', p_ticket.status,
    'priority', p_ticket.priority,
    'assigned_team_id', p_ticket.assigned_team_id,
    'assigned_employee_id', p_ticket.assigned_employee_id,
    'created_at', p_ticket.created_at,
    'updated_at', p_ticket.updated_at,
    'resolved_at', p_ticket.resolved_at,
    'closed_at', p_ticket.closed_at,
    'version', p_ticket.version
  )
$$;

comment on function private.ticket_json(public.tickets) is 'The ticket JSON every API function returns.';
revoke execute on function private.ticket_json(public.tickets) from public, anon;
grant execute on function private.ticket_json(public.tickets) to authenticated;

create function public.create_ticket(
  p_handling_org_id uuid,
  p_subject text,
  p_description text,
  p_priority text default 'medium',
  p_idempotency_key text default null,
  p_request_hash text default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_subject text := btrim(coalesce(p_subject, ''));
  v_description text := coalesce(p_description, '');
  v_stored private.idempotency_keys;
  v_ticket public.tickets;
  v_response jsonb;
begin
  if v_user_id is null then
    raise exception 'Sign in to create a ticket.' using errcode = '42501';
  end if;
  if p_handling_org_id is null then
    raise exception 'Choose the organization that should handle the ticket.'
      using errcode = '22023', hint = 'handling_org_id';
  end if;
  if char_length(v_subject) not between 1 and 200 then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = '22023', hint = 'subject';
  end if;
  if char_length(v_description) > 10000 then
    raise exception 'The description must be at most 10000 characters long.'
      using errcode = '22023', hint = 'description';
  end if;
  if p_priority is null or p_priority not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = '22023', hint = 'priority';
  end if;
  if p_idempotency_key is not null and char_length(p_idempotency_key) not between 1 and 255 then
    raise exception 'The idempotency key must be 1 to 255 characters long.'
      using errcode = '22023', hint = 'idempotency_key';
  end if;

  if p_idempotency_key is not null then
    -- The first caller claims the key; a concurrent caller waits here on the primary key until
    -- the first commits (then replays) or rolls back (then claims it itself).
    insert into private.idempotency_keys (user_id, key, request_hash)
    values (v_user_id, p_idempotency_key, p_request_hash)
    on conflict (user_id, key) do nothing;

    if not found then
      select * into v_stored
      from private.idempotency_keys k
      where k.user_id = v_user_id and k.key = p_idempotency_key;

      if v_stored.request_hash is distinct from p_request_hash then
        raise exception 'Idempotency key was already used with a different request'
          using errcode = 'TK422', hint = 'idempotency_key';
      end if;
      return v_stored.response || jsonb_build_object('replayed', true);
    end if;
  end if;

  perform private.require_can_submit(p_handling_org_id);

  insert into public.tickets (handling_org_id, user_id, subject, description, priority)
  values (p_handling_org_id, v_user_id, v_subject, v_description, p_priority)
  returning * into v_ticket;

  v_response := jsonb_build_object('ticket', private.ticket_json(v_ticket), 'replayed', false);

  if p_idempotency_key is not null then
    update private.idempotency_keys k
    set response = v_response
    where k.user_id = v_user_id and k.key = p_idempotency_key;
  end if;

  return v_response;
end;
$$;

comment on function public.create_ticket(uuid, text, text, text, text, text) is
  'Submit a ticket as the current user; with an idempotency key, a repeated request replays the first response.';
revoke execute on function public.create_ticket(uuid, text, text, text, text, text) from public, anon;
grant execute on function public.create_ticket(uuid, text, text, text, text, text) to authenticated;
