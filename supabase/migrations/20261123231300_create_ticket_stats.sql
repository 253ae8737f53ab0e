-- API: ticket_stats, counts for an organization's dashboard in one pass over its tickets.

create function public.ticket_stats(p_org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_stats jsonb;
begin
  if p_org_id is null or not private.is_org_staff(p_org_id) then
    raise exception 'The organization was not found.' using errcode = 'TK404', hint = 'org_id';
  end if;

  select jsonb_build_object(
    'org_id', p_org_id,
    'total', count(*),
    'by_status', jsonb_build_object(
      'open', count(*) filter (where t.status = 'open'),
      'in_progress', count(*) filter (where t.status = 'in_progress'),
      'waiting_on_customer', count(*) filter (where t.status = 'waiting_on_customer'),
      'resolved', count(*) filter (where t.status = 'resolved'),
      'closed', count(*) filter (where t.status = 'closed')
    ),
    'by_priority', jsonb_build_object(
      'low', count(*) filter (where t.priority = 'low'),
      'medium', count(*) filter (where t.priority = 'medium'),
      'high', count(*) filter (where t.priority = 'high'),
      'urgent', count(*) filter (where t.priority = 'urgent')
    ),
    'open', count(*) filter (where t.status = 'open'),
    'in_progress', count(*) filter (where t.status = 'in_progress'),
    'high_priority', count(*) filter (
      where t.priority in ('high', 'urgent') and t.status not in ('resolved', 'closed')
    ),
    'unassigned', count(*) filter (
      where t.assigned_team_id is null
        and t.assigned_employee_id is null
        and t.status not in ('resolved', 'closed')
    )
  )
  into v_stats
  from public.tickets t
  where t.handling_org_id = p_org_id;

  return v_stats;
end;
$$;

comment on function public.ticket_stats(uuid) is 'Ticket counts of an organization, for its staff.';
revoke execute on function public.ticket_stats(uuid) from public, anon;
grant execute on function public.ticket_stats(uuid) to authenticated;
