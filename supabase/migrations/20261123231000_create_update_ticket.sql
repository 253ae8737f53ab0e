-- API: update_ticket with optimistic concurrency. Role rules and assignment checks live in the
-- tickets triggers, so a direct PostgREST update is held to the same rules.

create function public.update_ticket(p_id uuid, p_expected_version integer, p_changes jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_ticket public.tickets;
begin
  if p_id is null then
    raise exception 'Name the ticket to update.' using errcode = '22023', hint = 'id';
  end if;
  if p_expected_version is null then
    raise exception 'Send the version of the ticket you are changing.'
      using errcode = '22023', hint = 'expected_version';
  end if;
  if p_changes is null or jsonb_typeof(p_changes) <> 'object' then
    raise exception 'The changes must be a JSON object of the fields to change.'
      using errcode = '22023', hint = 'changes';
  end if;

  select k into v_key
  from jsonb_object_keys(p_changes) k
  where k not in ('subject', 'description', 'status', 'priority', 'assigned_team_id', 'assigned_employee_id')
  limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed; change subject, description, status, priority, assigned_team_id or assigned_employee_id.', v_key
      using errcode = '22023', hint = v_key;
  end if;

  if p_changes ? 'subject' and (
    jsonb_typeof(p_changes -> 'subject') is distinct from 'string'
    or char_length(btrim(p_changes ->> 'subject')) not between 1 and 200
  ) then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = '22023', hint = 'subject';
  end if;
  if p_changes ? 'description' and (
    jsonb_typeof(p_changes -> 'description') is distinct from 'string'
    or char_length(p_changes ->> 'description') > 10000
  ) then
    raise exception 'The description must be text of at most 10000 characters.'
      using errcode = '22023', hint = 'description';
  end if;
  if p_changes ? 'status' and (p_changes ->> 'status') is not distinct from null
    or coalesce(p_changes ->> 'status', 'open')
      not in ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed') then
    raise exception 'The status must be one of open, in_progress, waiting_on_customer, resolved or closed.'
      using errcode = '22023', hint = 'status';
  end if;
  if p_changes ? 'priority' and (p_changes ->> 'priority') is not distinct from null
    or coalesce(p_changes ->> 'priority', 'low') not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = '22023', hint = 'priority';
  end if;
  foreach v_key in array array['assigned_team_id', 'assigned_employee_id'] loop
    if p_changes ? v_key
      and jsonb_typeof(p_changes -> v_key) <> 'null'
      and (
        jsonb_typeof(p_changes -> v_key) <> 'string'
        or (p_changes ->> v_key) !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      ) then
      raise exception 'The field "%" must be a UUID, or null to unassign.', v_key
        using errcode = '22023', hint = v_key;
    end if;
  end loop;

  if not exists (select 1 from public.tickets t where t.id = p_id) then
    raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'id';
  end if;

  update public.tickets t
  set
    subject = case when p_changes ? 'subject' then btrim(p_changes ->> 'subject') else t.subject end,
    description = case when p_changes ? 'description' then p_changes ->> 'description' else t.description end,
    status = case when p_changes ? 'status' then p_changes ->> 'status' else t.status end,
    priority = case when p_changes ? 'priority' then p_changes ->> 'priority' else t.priority end,
    assigned_team_id = case
      when p_changes ? 'assigned_team_id' then (p_changes ->> 'assigned_team_id')::uuid
      else t.assigned_team_id
    end,
    assigned_employee_id = case
      when p_changes ? 'assigned_employee_id' then (p_changes ->> 'assigned_employee_id')::uuid
      else t.assigned_employee_id
    end,
    version = t.version + 1
  where t.id = p_id and t.version = p_expected_version
  returning * into v_ticket;

  if not found then
    select * into v_ticket from public.tickets t where t.id = p_id;
    if not found then
      raise exception 'The ticket was not found.' using errcode = 'TK404', hint = 'id';
    end if;
    raise exception 'The ticket was changed by someone else (now at version %); review the current ticket and try again.', v_ticket.version
      using errcode = 'TK409', detail = private.ticket_json(v_ticket)::text, hint = 'expected_version';
  end if;

  return private.ticket_json(v_ticket);
end;
$$;

comment on function public.update_ticket(uuid, integer, jsonb) is
  'Change the named fields of a ticket if it is still at the expected version.';
revoke execute on function public.update_ticket(uuid, integer, jsonb) from public, anon;
grant execute on function public.update_ticket(uuid, integer, jsonb) to authenticated;
